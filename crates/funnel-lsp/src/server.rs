//! The server loop: the LSP handshake, the open documents, and dispatch of
//! every request and notification to the feature modules. One thread; work
//! is done when asked for and cached per document version.
//!
//! Diagnostics are published at once when a document opens and, after
//! changes, once the document has been quiet for [`Options::debounce`] (a
//! burst of keystrokes is checked once). Requests always see the latest text.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, CodeLensRequest, Completion, DocumentSymbolRequest, ExecuteCommand,
    FoldingRangeRequest, Formatting, GotoDefinition, HoverRequest, PrepareRenameRequest,
    References, Rename, Request as _, SemanticTokensFullRequest,
};
use lsp_types::{PublishDiagnosticsParams, Uri};

use crate::capabilities::capabilities;
use crate::document::Doc;
use crate::refusal::Refusal;
use crate::{actions, completion, diagnostics, folding, format, hover, lens, navigate};
use crate::{semantic, symbols};

/// How the server behaves.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// How long a changed document must be quiet before it is checked again.
    pub debounce: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            debounce: Duration::from_millis(100),
        }
    }
}

/// Why the server stopped abnormally.
#[derive(Debug)]
pub struct ServerError(pub String);

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServerError {}

impl From<lsp_server::ProtocolError> for ServerError {
    fn from(e: lsp_server::ProtocolError) -> Self {
        ServerError(format!("protocol error: {e}"))
    }
}

/// Serve one client on `conn` until it shuts down.
pub fn run(conn: &Connection, options: Options) -> Result<(), ServerError> {
    let caps = serde_json::to_value(capabilities())
        .map_err(|e| ServerError(format!("cannot encode the capabilities: {e}")))?;
    conn.initialize(caps)?;
    let mut server = Server {
        conn,
        options,
        docs: HashMap::new(),
        pending: Vec::new(),
    };
    server.main_loop()
}

pub(crate) struct Server<'c> {
    conn: &'c Connection,
    options: Options,
    pub(crate) docs: HashMap<Uri, Doc>,
    /// Documents changed since their last diagnostics, with when they are due.
    pending: Vec<(Uri, Instant)>,
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<(), ServerError> {
        loop {
            let next_due = self.pending.iter().map(|(_, at)| *at).min();
            let msg = match next_due {
                None => match self.conn.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return Ok(()),
                },
                Some(due) => {
                    let wait = due.saturating_duration_since(Instant::now());
                    match self.conn.receiver.recv_timeout(wait) {
                        Ok(m) => m,
                        Err(crossbeam::RecvTimeoutError::Timeout) => {
                            self.publish_due()?;
                            continue;
                        }
                        Err(crossbeam::RecvTimeoutError::Disconnected) => return Ok(()),
                    }
                }
            };
            match msg {
                Message::Request(req) => {
                    if self.conn.handle_shutdown(&req)? {
                        return Ok(());
                    }
                    let resp = self.request(req);
                    self.send(Message::Response(resp))?;
                }
                Message::Notification(n) => self.notification(n)?,
                Message::Response(_) => {}
            }
        }
    }

    fn send(&self, msg: Message) -> Result<(), ServerError> {
        self.conn
            .sender
            .send(msg)
            .map_err(|_| ServerError("the client connection closed".to_string()))
    }

    pub(crate) fn notify<N: lsp_types::notification::Notification>(
        &self,
        params: N::Params,
    ) -> Result<(), ServerError> {
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )))
    }

    fn publish(&self, uri: &Uri) -> Result<(), ServerError> {
        if let Some(doc) = self.docs.get(uri) {
            self.notify::<PublishDiagnostics>(diagnostics::publish(doc))?;
        }
        Ok(())
    }

    fn publish_due(&mut self) -> Result<(), ServerError> {
        let now = Instant::now();
        let (due, later): (Vec<_>, Vec<_>) = self.pending.drain(..).partition(|(_, at)| *at <= now);
        self.pending = later;
        for (uri, _) in due {
            self.publish(&uri)?;
        }
        Ok(())
    }

    fn notification(&mut self, n: Notification) -> Result<(), ServerError> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                {
                    let d = p.text_document;
                    let uri = d.uri.clone();
                    self.docs
                        .insert(uri.clone(), Doc::new(d.uri, d.version, d.text));
                    self.pending.retain(|(u, _)| *u != uri);
                    self.publish(&uri)?;
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = n.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) {
                    let uri = p.text_document.uri;
                    if let Some(doc) = self.docs.remove(&uri) {
                        let doc = doc.change(p.text_document.version, p.content_changes);
                        self.docs.insert(uri.clone(), doc);
                        let due = Instant::now() + self.options.debounce;
                        self.pending.retain(|(u, _)| *u != uri);
                        self.pending.push((uri, due));
                        if self.options.debounce.is_zero() {
                            self.publish_due()?;
                        }
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    n.extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                {
                    let uri = p.text_document.uri;
                    self.docs.remove(&uri);
                    self.pending.retain(|(u, _)| *u != uri);
                    self.notify::<PublishDiagnostics>(PublishDiagnosticsParams {
                        uri,
                        diagnostics: Vec::new(),
                        version: None,
                    })?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            HoverRequest::METHOD => self.on::<HoverRequest>(req, |doc, p| {
                let pos = p.text_document_position_params.position;
                Ok(hover::hover(doc, doc.offset(pos)))
            }),
            GotoDefinition::METHOD => self.on::<GotoDefinition>(req, |doc, p| {
                let pos = p.text_document_position_params.position;
                Ok(navigate::definition(doc, doc.offset(pos)))
            }),
            References::METHOD => self.on::<References>(req, |doc, p| {
                let pos = p.text_document_position.position;
                Ok(navigate::references(
                    doc,
                    doc.offset(pos),
                    p.context.include_declaration,
                ))
            }),
            PrepareRenameRequest::METHOD => self.on::<PrepareRenameRequest>(req, |doc, p| {
                navigate::prepare_rename(doc, doc.offset(p.position)).map(Some)
            }),
            Rename::METHOD => self.on::<Rename>(req, |doc, p| {
                let pos = p.text_document_position.position;
                navigate::rename(doc, doc.offset(pos), &p.new_name).map(Some)
            }),
            Completion::METHOD => self.on::<Completion>(req, |doc, p| {
                let pos = p.text_document_position.position;
                Ok(Some(completion::complete(doc, doc.offset(pos))))
            }),
            DocumentSymbolRequest::METHOD => self.on::<DocumentSymbolRequest>(req, |doc, _| {
                Ok(Some(symbols::document_symbols(doc)))
            }),
            Formatting::METHOD => self.on::<Formatting>(req, |doc, _| format::format(doc)),
            FoldingRangeRequest::METHOD => {
                self.on::<FoldingRangeRequest>(req, |doc, _| Ok(Some(folding::ranges(doc))))
            }
            SemanticTokensFullRequest::METHOD => self
                .on::<SemanticTokensFullRequest>(req, |doc, _| {
                    Ok(Some(semantic::full(doc).into()))
                }),
            CodeActionRequest::METHOD => {
                self.on::<CodeActionRequest>(req, |doc, p| Ok(Some(actions::actions(doc, &p))))
            }
            CodeLensRequest::METHOD => {
                self.on::<CodeLensRequest>(req, |doc, _| Ok(Some(lens::lenses(doc))))
            }
            ExecuteCommand::METHOD => self.execute(req),
            _ => Err(Refusal {
                code: ErrorCode::MethodNotFound as i32,
                message: format!("`{}` is not supported by funnel lsp", req.method),
            }),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err(r) => Response::new_err(id, r.code, r.message),
        }
    }

    /// Decode a document request, find its document and answer it.
    fn on<R>(
        &self,
        req: Request,
        f: impl FnOnce(&Doc, R::Params) -> Result<R::Result, Refusal>,
    ) -> Result<serde_json::Value, Refusal>
    where
        R: lsp_types::request::Request,
        R::Params: DocumentParams,
    {
        let params: R::Params = serde_json::from_value(req.params)
            .map_err(|e| Refusal::invalid(format!("bad parameters for `{}`: {e}", R::METHOD)))?;
        let uri = params.uri().clone();
        let doc = self
            .docs
            .get(&uri)
            .ok_or_else(|| Refusal::invalid(format!("`{}` is not open", uri.as_str())))?;
        let result = f(doc, params)?;
        serde_json::to_value(result)
            .map_err(|e| Refusal::failed(format!("cannot encode the answer: {e}")))
    }

    fn execute(&mut self, req: Request) -> Result<serde_json::Value, Refusal> {
        let params: lsp_types::ExecuteCommandParams = serde_json::from_value(req.params)
            .map_err(|e| Refusal::invalid(format!("bad parameters for a command: {e}")))?;
        let outcome = lens::execute(&self.docs, &params)?;
        let _ = self.notify::<ShowMessage>(outcome.message);
        Ok(outcome.result)
    }
}

/// Requests about one document: where to find its URI.
pub(crate) trait DocumentParams {
    fn uri(&self) -> &Uri;
}

macro_rules! document_params {
    ($($t:ty => |$p:ident| $e:expr),* $(,)?) => {
        $(impl DocumentParams for $t {
            fn uri(&self) -> &Uri {
                let $p = self;
                &$e
            }
        })*
    };
}

document_params! {
    lsp_types::HoverParams => |p| p.text_document_position_params.text_document.uri,
    lsp_types::GotoDefinitionParams => |p| p.text_document_position_params.text_document.uri,
    lsp_types::ReferenceParams => |p| p.text_document_position.text_document.uri,
    lsp_types::TextDocumentPositionParams => |p| p.text_document.uri,
    lsp_types::RenameParams => |p| p.text_document_position.text_document.uri,
    lsp_types::CompletionParams => |p| p.text_document_position.text_document.uri,
    lsp_types::DocumentSymbolParams => |p| p.text_document.uri,
    lsp_types::DocumentFormattingParams => |p| p.text_document.uri,
    lsp_types::FoldingRangeParams => |p| p.text_document.uri,
    lsp_types::SemanticTokensParams => |p| p.text_document.uri,
    lsp_types::CodeActionParams => |p| p.text_document.uri,
    lsp_types::CodeLensParams => |p| p.text_document.uri,
}

/// The channel types of `lsp-server`'s connection.
mod crossbeam {
    pub use crossbeam_channel::RecvTimeoutError;
}
