//! Where each value of a JSON text is: the line of every path (`risk.rules[3].condition`, the
//! root being ``), so that a template's validation errors, which name paths, show on the line at
//! fault of the text the admin wrote, whatever its layout.

use std::collections::HashMap;

/// The line (from 1) of every value of `text` by path: a member's line is its key's, an array
/// element's its own. `text` should be JSON (serde_json parsed it); anything else gives the paths
/// read up to the fault.
pub fn value_lines(text: &str) -> HashMap<String, usize> {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        at: 0,
        line: 1,
        lines: HashMap::new(),
    };
    scanner.space();
    let line = scanner.line;
    scanner.lines.insert(String::new(), line);
    scanner.value("");
    scanner.lines
}

/// The line of `path`, else of its nearest ancestor in `lines` (a missing member is its object's
/// fault).
pub fn line_of(lines: &HashMap<String, usize>, path: &str) -> Option<usize> {
    let mut path = path;
    loop {
        if let Some(line) = lines.get(path) {
            return Some(*line);
        }
        if path.is_empty() {
            return None;
        }
        let cut = path.rfind(['.', '[']).unwrap_or(0);
        path = &path[..cut];
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
    lines: HashMap<String, usize>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn bump(&mut self) {
        if self.peek() == Some(b'\n') {
            self.line += 1;
        }
        self.at += 1;
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.bump();
        }
    }

    /// A string's content (escapes decoded as far as paths need: `\"` and `\\`).
    fn string(&mut self) -> String {
        let mut out = Vec::new();
        self.bump(); // the opening quote
        while let Some(b) = self.peek() {
            match b {
                b'"' => {
                    self.bump();
                    break;
                }
                b'\\' => {
                    self.bump();
                    if let Some(e) = self.peek() {
                        out.push(e);
                        self.bump();
                    }
                }
                _ => {
                    out.push(b);
                    self.bump();
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    fn value(&mut self, path: &str) {
        self.space();
        match self.peek() {
            Some(b'{') => {
                self.bump();
                loop {
                    self.space();
                    match self.peek() {
                        Some(b'"') => {
                            let line = self.line;
                            let key = self.string();
                            let child = if path.is_empty() {
                                key
                            } else {
                                format!("{path}.{key}")
                            };
                            self.lines.entry(child.clone()).or_insert(line);
                            self.space();
                            if self.peek() == Some(b':') {
                                self.bump();
                            }
                            self.value(&child);
                            self.space();
                            if self.peek() == Some(b',') {
                                self.bump();
                            }
                        }
                        Some(b'}') => {
                            self.bump();
                            return;
                        }
                        _ => return,
                    }
                }
            }
            Some(b'[') => {
                self.bump();
                let mut i = 0;
                loop {
                    self.space();
                    match self.peek() {
                        Some(b']') => {
                            self.bump();
                            return;
                        }
                        None => return,
                        Some(_) => {
                            let child = format!("{path}[{i}]");
                            let line = self.line;
                            self.lines.entry(child.clone()).or_insert(line);
                            let before = self.at;
                            self.value(&child);
                            self.space();
                            if self.peek() == Some(b',') {
                                self.bump();
                            } else if self.at == before {
                                return;
                            }
                            i += 1;
                        }
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while let Some(b) = self.peek() {
                    if matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace() {
                        break;
                    }
                    self.bump();
                }
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_find_their_lines_in_any_layout() {
        let text = "{\n  \"name\": \"x\",\n  \"risk\": {\n    \"rules\": [\n      {\"id\": \"a\"},\n      {\n        \"id\": \"b\",\n        \"condition\": \"1 +\"\n      }\n    ]\n  },\n  \"tags\": [\"a\", \"b\\\"c\"]\n}\n";
        let lines = value_lines(text);
        assert_eq!(lines[""], 1);
        assert_eq!(lines["name"], 2);
        assert_eq!(lines["risk"], 3);
        assert_eq!(lines["risk.rules"], 4);
        assert_eq!(lines["risk.rules[0]"], 5);
        assert_eq!(lines["risk.rules[0].id"], 5);
        assert_eq!(lines["risk.rules[1]"], 6);
        assert_eq!(lines["risk.rules[1].condition"], 8);
        assert_eq!(lines["tags[1]"], 12);
        // A member that is not there is its object's fault.
        assert_eq!(line_of(&lines, "risk.rules[1].weight"), Some(6));
        assert_eq!(line_of(&lines, "policy.four_eyes"), Some(1));
        assert_eq!(line_of(&lines, ""), Some(1));
    }

    #[test]
    fn one_line_json_is_all_on_line_one() {
        let lines = value_lines("{\"a\": [1, 2, {\"b\": null}]}");
        assert_eq!(line_of(&lines, "a[2].b"), Some(1));
    }
}
