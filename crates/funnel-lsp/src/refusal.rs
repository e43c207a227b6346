//! A request the server refuses, with the LSP error code and a message the
//! editor shows; the handlers return it and the server sends it.

use lsp_server::ErrorCode;

/// A request the server answers with an error: the LSP code and a message.
#[derive(Debug)]
pub struct Refusal {
    pub code: i32,
    pub message: String,
}

impl Refusal {
    pub fn failed(message: impl Into<String>) -> Refusal {
        Refusal {
            code: ErrorCode::RequestFailed as i32,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Refusal {
        Refusal {
            code: ErrorCode::InvalidParams as i32,
            message: message.into(),
        }
    }
}
