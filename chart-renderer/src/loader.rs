//! PLACEHOLDER — filled by its own work item.
