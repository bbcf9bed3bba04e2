//! The one error type of the PromQL engine.

use std::fmt;

/// Why a query failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryError {
    /// The query does not parse (or is ill-typed); `line` and `column` are
    /// 1-based, `offset` is in bytes.
    Parse {
        /// Byte offset in the query.
        offset: usize,
        /// Line, from 1.
        line: usize,
        /// Column (bytes within the line), from 1.
        column: usize,
        /// What is wrong there.
        message: String,
    },
    /// The query's parameters are wrong (start after end, step not positive,
    /// too many points).
    BadParameter(String),
    /// The query parsed but could not be evaluated (e.g. a many-to-many match,
    /// duplicate label sets, too many samples).
    Execution(String),
}

impl QueryError {
    /// A parse error at byte `offset` of `query`.
    pub(crate) fn parse(query: &str, offset: usize, message: String) -> QueryError {
        let offset = offset.min(query.len());
        let before = query.get(..offset).unwrap_or(query);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        QueryError::Parse {
            offset,
            line,
            column: offset - line_start + 1,
            message,
        }
    }

    /// The `errorType` of the Prometheus HTTP API: `bad_data` for queries
    /// and parameters that are wrong, `execution` for evaluation failures.
    pub fn error_type(&self) -> &'static str {
        match self {
            QueryError::Parse { .. } | QueryError::BadParameter(_) => "bad_data",
            QueryError::Execution(_) => "execution",
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::Parse {
                line,
                column,
                message,
                ..
            } => write!(f, "{line}:{column}: parse error: {message}"),
            QueryError::BadParameter(message) | QueryError::Execution(message) => {
                f.write_str(message)
            }
        }
    }
}

impl std::error::Error for QueryError {}
