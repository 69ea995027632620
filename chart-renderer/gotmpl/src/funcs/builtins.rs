//! Go's predefined template functions (`and or not len index slice call print printf println html js
//! urlquery eq ne lt le gt ge`), with Go's type rules and error texts.
//! PLACEHOLDER — the builtins work fills this module. `and`/`or` short-circuit, so the executor handles
//! them itself; they are still registered here so the parser knows the names.

use super::FuncMap;

/// The builtin table every template set starts with.
pub fn builtins() -> FuncMap {
    FuncMap::new()
}
