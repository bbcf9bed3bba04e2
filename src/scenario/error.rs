//! Scenario errors: each one located at `file:line:col`.

use std::fmt;

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file name (or `<input>` for text given directly).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The field path, e.g. `services[2].depends_on[0]`; empty when the error is about the file as a whole.
    pub field: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// Turns byte offsets of a text into line and column numbers.
pub(crate) struct SourceMap<'a> {
    file: &'a str,
    text: &'a str,
}

impl<'a> SourceMap<'a> {
    pub(crate) fn new(file: &'a str, text: &'a str) -> Self {
        SourceMap { file, text }
    }

    /// 1-based (line, column) of a byte offset; offsets past the end or inside a character are clamped.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    pub(crate) fn error(
        &self,
        span: std::ops::Range<usize>,
        field: &str,
        message: String,
    ) -> ScenarioError {
        let (line, column) = self.position(span.start);
        ScenarioError {
            file: self.file.to_string(),
            line,
            column,
            field: field.to_string(),
            message,
        }
    }
}
