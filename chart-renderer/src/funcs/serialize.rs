//! PLACEHOLDER — filled by its own work item.

use gotmpl::FuncMap;

pub fn register(_m: &mut FuncMap) {}
