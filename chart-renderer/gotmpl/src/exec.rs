//! PLACEHOLDER — the engine work fills this module.
