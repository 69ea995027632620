"""String and number cases for the encoder goldens, written as YAML documents whose values are JSON
strings (JSON strings are valid YAML double-quoted scalars), so any text can be expressed."""
import json

STRINGS = [
    "", " ", "a", "yes", "Yes", "no", "on", "off", "y", "n", "true", "False", "null", "~", "NULL",
    "1", "1.0", "-1", "+1", "0x1F", "017", "08", "1e3", "1_000", ".5", ".inf", "-.inf", ".nan", "1:20",
    "1:20:30.5", "12:60", "2001-12-14", "2001-12-14T21:59:43Z", "<<", "=", "-", "--", "---", "---x", "...",
    "- a", "-a", "a -", ":", ": a", "a:", "a:b", "a: b", "a :b", "?", "? a", "?a", "a?", "#", "#a", "a#b",
    "a #b", ",", "a,b", "[a]", "a[b]", "{a}", "&a", "*a", "!a", "|", ">", "'", "\"", "%", "@", "`", "a'b",
    "a\"b", "\\", "a\\b", " a", "a ", " a ", "a  b", "\t", "a\tb", "\r", "a\rb", "\x00", "\x07", "\x1b",
    "\x7f", "\x85", "\xa0", "a\xa0b", "\u2028", "\u2029", "\ufeff", "é", "日本語", "😀", "a😀b", "ключ",
    "\n", "a\n", "a\nb", "a\nb\n", "a\n\n", "a\n\nb", "\na", " a\nb", "a \nb", "a\n b", "a\n\n\n",
    "\n\n", "a\r\nb", "a\tb\nc", "line1\nline2\n  indented\n",
    "x" * 79, "x" * 80, "x" * 81,
    " ".join(["word"] * 30),
    " ".join(["word"] * 60),
    "a" * 85 + " " + "b" * 10 + " " + "c" * 10,
    ("word " * 25).strip() + "  double  spaces " + ("w " * 20),
    "'" + " ".join(["quoted"] * 20),
    "\t" + " ".join(["tabbed"] * 20),
    " ".join(["multi"] * 20) + "\n" + " ".join(["line"] * 30),
    "k" * 129,
]

NUMBERS = [
    "0", "-0", "1", "-1", "1.5", "-1.5", "0.1", "1e6", "1000000", "1234567", "1234567.5", "123456789",
    "1e20", "1e21", "1e22", "1.5e300", "0.000001", "0.0000001", "1e-7", "5e-324", "9007199254740993",
    "18446744073709551615", "18446744073709551616", "-9223372036854775808", "100000.5", "0.5", "3.0",
    "12345678901234567890123", "0x10", "0o17", "1_000", "2.5e-5",
]


def cases():
    out = []
    for s in STRINGS:
        out.append("v: " + json.dumps(s, ensure_ascii=False) + "\n")
    for s in STRINGS:
        if s:
            out.append(json.dumps(s, ensure_ascii=False) + ": 1\n")
    for n in NUMBERS:
        out.append("v: " + n + "\n")
    return out
