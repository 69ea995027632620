//! Parse-only error messages in Go's full form (`template: NAME:LINE: MSG`).
//!
//! Helm shows these as `parse error at (NAME:LINE): LAST` where LAST is the text after the final `": "`
//! (its `cleanupParseError`); each case here was rendered through Helm (the same template appears in
//! `golden/lang.json`, noted per line) and the part Helm cuts away is Go's fixed prefix of that message
//! (`bad number syntax: `, `integer overflow: `, `template: multiple definition…`) from
//! `text/template/parse`. The test checks both the full text and that Helm's cleanup of it gives
//! Helm's golden.

mod lang_common;

use gotmpl::{ErrorKind, TemplateSet};

const CASES: &[(&str, &str)] = &[
    // (template, Go's full error) — the lang.json case name is in the trailing comment; the cases
    // without one were checked against Helm the same way when this table was written.
    (
        "{{ nope 1 }}",
        "template: t:1: function \"nope\" not defined",
    ), // func_not_defined
    (
        "a\nb\n{{ nope }}",
        "template: t:3: function \"nope\" not defined",
    ), // func_not_defined_later_line
    ("{{ $nope }}", "template: t:1: undefined variable \"$nope\""), // var_undefined
    ("{{ if }}{{ end }}", "template: t:1: missing value for if"),   // if_missing_value
    ("{{ if true }}", "template: t:1: unexpected EOF"),             // if_eof
    ("{{ end }}", "template: t:1: unexpected {{end}}"),             // end_alone
    ("{{ else }}", "template: t:1: unexpected {{else}}"),           // else_alone
    (
        "{{ if true }}{{ else }}{{ else }}{{ end }}",
        "template: t:1: expected end; found {{else}}",
    ), // else_twice
    (
        "{{ range .l }}{{ else if true }}{{ end }}",
        "template: t:1: unexpected <if> in input",
    ), // else_if_in_range
    (
        "{{ if true }}{{ end x }}",
        "template: t:1: unexpected \"x\" in end",
    ), // end_with_arg
    (
        "{{ \"a\" | \"b\" }}",
        "template: t:1: non executable command in pipeline stage 2",
    ), // pipe_non_exec
    (
        "{{ \"a\" | upper | 3 }}",
        "template: t:1: non executable command in pipeline stage 3",
    ), // pipe_non_exec_3
    ("{{ break }}", "template: t:1: {{break}} outside {{range}}"),  // break_outside_range
    (
        "{{ if true }}{{ continue }}{{ end }}",
        "template: t:1: {{continue}} outside {{range}}",
    ), // continue_outside_range
    (
        "{{ range .l }}{{ break 1 }}{{ end }}",
        "template: t:1: unexpected \"1\" in {{break}}",
    ), // break_with_arg
    (
        "{{ range .l }}{{ define \"x\" }}{{ break }}{{ end }}{{ end }}",
        "template: t:1: unexpected <define> in command",
    ), // break_in_define_in_range
    (
        "{{ $a, $b := \"x\" }}",
        "template: t:1: too many declarations in command",
    ), // too_many_decls
    (
        "{{ range $a, 1 := .l }}{{ end }}",
        "template: t:1: range can only initialize variables",
    ), // range_decl_non_var
    (
        "{{ template x }}",
        "template: t:1: unexpected \"x\" in template clause",
    ), // template_name_not_string
    (
        "{{ define x }}{{ end }}",
        "template: t:1: unexpected \"x\" in define clause",
    ), // define_name_not_string
    (
        "{{ define \"x\" }}{{ else }}{{ end }}",
        "template: t:1: unexpected {{else}} in define clause",
    ), // define_else
    (
        "{{ define \"x\" }}a{{ end }}{{ define \"x\" }}b{{ end }}",
        "template: t:1: template: multiple definition of template \"x\"",
    ), // define_twice
    (
        "{{ \"a\".b }}",
        "template: t:1: unexpected . after term \"\\\"a\\\"\"",
    ), // dot_after_literal
    (
        "{{ nil.b }}",
        "template: t:1: unexpected . after term \"nil\"",
    ), // dot_after_nil
    (
        "{{ 99999999999999999999 }}",
        "template: t:1: integer overflow: \"99999999999999999999\"",
    ), // int_overflow
    ("{{ 3x }}", "template: t:1: bad number syntax: \"3x\""),       // bad_number
    (
        "{{ 1__0 }}",
        "template: t:1: illegal number syntax: \"1__0\"",
    ), // bad_number_underscore
    ("{{ 089 }}", "template: t:1: integer overflow: \"089\""), // bad_octal (ParseFloat accepts 089)
    (
        "{{ .Values.1a }}",
        "template: t:1: bad number syntax: \".1a\"",
    ), // field_digit_start
    (
        "{{ 'ab' }}",
        "template: t:1: malformed character constant: 'ab'",
    ), // char_malformed
    ("{{ '' }}", "template: t:1: invalid syntax"),             // char_empty
    ("{{ 'a }}", "template: t:1: unterminated character constant"), // char_unterminated
    ("{{ \"\\q\" }}", "template: t:1: invalid syntax"),        // bad_escape
    (
        "{{ \"a\nb\" }}",
        "template: t:1: unterminated quoted string",
    ), // quoted_newline
    ("{{ \"a\" ", "template: t:1: unclosed action"),           // unclosed_action
    (
        "{{ \"a\"\n\n",
        "template: t:3: unclosed action started at t:1",
    ), // unclosed_action_multiline
    (
        "x\n{{ `abc }}",
        "template: t:2: unterminated raw quoted string",
    ), // unterminated_raw
    (
        "{{ upper\n\"abc }}",
        "template: t:2: unterminated quoted string in action started at t:1",
    ), // unterminated_quote_later_line
    ("{{ (upper \"a\" }}", "template: t:1: unclosed left paren"), // unclosed_paren
    (
        "{{ upper \"a\") }}",
        "template: t:1: unexpected right paren",
    ), // unexpected_rparen
    (
        "{{ $x := 1 }}{{ $x=2 }}",
        "template: t:1: bad character U+003D '='",
    ), // bad_char
    (
        "{{ .Values.a-b }}",
        "template: t:1: bad character U+002D '-'",
    ), // field_with_dash
    (
        "{{ \"a\" ; }}",
        "template: t:1: unexpected \";\" in operand",
    ), // unrecognized_char
    ("{{ $x : 1 }}", "template: t:1: undefined variable \"$x\""), // colon_no_eq
    ("{{ }}", "template: t:1: missing value for command"),     // empty_action
    ("{{- -}}", "template: t:1: illegal number syntax: \"-\""), // empty_action_trim
    (
        "a{{ /* c */ }}b",
        "template: t:1: unexpected \"/\" in command",
    ), // comment_not_touching
    (
        "a{{/* c */ }}b",
        "template: t:1: comment ends before closing delimiter",
    ), // comment_end_space
    ("a{{/* c }}b", "template: t:1: unclosed comment"),        // comment_unclosed
    (
        "a{{/* x /* y */ z */}}b",
        "template: t:1: comment ends before closing delimiter",
    ), // comment_nested
    (
        "{{ if true }}{{ $y := 1 }}{{ end }}{{ $y }}",
        "template: t:1: undefined variable \"$y\"",
    ), // var_scope_ends
    (
        "{{ define \"d\" }}{{ $x }}{{ end }}{{ $x := 1 }}",
        "template: t:1: undefined variable \"$x\"",
    ), // var_undefined_in_define
    (
        "{{ \"unterminated long string value",
        "template: t:1: unterminated quoted string",
    ),
    (
        "{{ 1 2 | \"a long string literal\" }}",
        "template: t:1: non executable command in pipeline stage 2",
    ),
    (
        "{{ if true }}{{ end }}{{ with \"averyveryverylongtoken\" 1 }}{{ else }}",
        "template: t:1: unexpected EOF",
    ),
    (
        "{{ template \"averyveryverylongname\" | }}",
        "template: t:1: unexpected \"|\" in template clause",
    ),
    (
        "{{ range .l }}{{ else }}{{ else }}{{ end }}",
        "template: t:1: expected end; found {{else}}",
    ),
    (
        "{{ with .x }}{{ else with }}{{ end }}",
        "template: t:1: missing value for with",
    ),
    (
        "{{ \"abc\" \"averyverylongstringtoken\" .x.y.z ( }}",
        "template: t:1: unclosed left paren",
    ),
    (
        "{{ define \"a\" }}{{ \"a\" \"b\" | \"verylongliteral\" }}{{ end }}",
        "template: t:1: non executable command in pipeline stage 2",
    ),
    ("{{ := }}", "template: t:1: unexpected \":=\" in command"),
    (
        "{{ printf \"%d\" 1 | $x := 2 }}",
        "template: t:1: undefined variable \"$x\"",
    ),
    (
        "{{ $x := 1 }}{{ $x := }}",
        "template: t:1: missing value for command",
    ),
    (
        "{{ (1) }}{{ ( ) }}",
        "template: t:1: missing value for parenthesized pipeline",
    ),
    ("{{ .a | ( }}", "template: t:1: unclosed left paren"),
];

fn helm_cleanup(go: &str) -> String {
    let tokens: Vec<&str> = go.split(": ").collect();
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

#[test]
fn parse_errors_have_gos_text() {
    let mut failures = Vec::new();
    for (tpl, want) in CASES {
        let mut set = TemplateSet::new(lang_common::funcs());
        match set.add("t", tpl) {
            Ok(()) => failures.push(format!("{tpl:?}: parsed, want {want:?}")),
            Err(e) => {
                assert_eq!(e.kind, ErrorKind::Parse);
                if e.to_string() != *want {
                    failures.push(format!("{tpl:?}:\n   got: {e}\n  want: {want}"));
                }
                assert_eq!(helm_cleanup(&e.to_string()), helm_cleanup(want));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unexpected_token_display_truncates_like_go() {
    // Go's item.String(): tokens longer than 10 characters print as `%.10q...`.
    let mut set = TemplateSet::new(lang_common::funcs());
    let e = set
        .add("t", "{{ template \"abc\" \"x\" end }}")
        .unwrap_err();
    assert_eq!(e.to_string(), "template: t:1: unexpected <end> in operand");
    let e = set
        .add("t", "{{ if true }}{{ end \"a long string here\" }}")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "template: t:1: unexpected \"\\\"a long st\"... in end"
    );
}

#[test]
fn trailing_pipe_is_accepted() {
    // Helm renders `{{ "x" | }}` as `x`: a pipeline may end right after `|`.
    let mut set = TemplateSet::new(lang_common::funcs());
    set.add("t", "{{ \"x\" | }}").unwrap();
    let out = set
        .execute("t", gotmpl::Value::Nil, &Default::default())
        .unwrap();
    assert_eq!(out, "x");
}
