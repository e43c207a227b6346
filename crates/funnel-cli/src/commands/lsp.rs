//! `funnel lsp`: run the language server on stdin/stdout for an editor
//! (VS Code, Neovim, Helix, Zed; see docs/editors.md). The server itself is
//! `funnel-lsp`; this command only opens the stdio connection it talks over.

use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Speak LSP over stdin/stdout (the default, and the only transport;
    /// accepted because some editors pass it).
    #[arg(long)]
    pub stdio: bool,
    /// Milliseconds a changed document must be quiet before it is checked again.
    #[arg(long, value_name = "MS", default_value_t = 100)]
    pub debounce: u64,
}

pub fn run(args: Args) -> u8 {
    let (conn, io) = lsp_server::Connection::stdio();
    let options = funnel_lsp::Options {
        debounce: Duration::from_millis(args.debounce),
    };
    let served = funnel_lsp::run(&conn, options);
    drop(conn);
    let joined = io.join();
    match (served, joined) {
        (Ok(()), Ok(())) => 0,
        (Err(e), _) => {
            crate::diag::error(
                "funnel::lsp::stopped",
                format!("funnel lsp stopped: {e}"),
                Some("start it from an editor, which speaks the Language Server Protocol on stdin/stdout".into()),
            );
            2
        }
        (_, Err(e)) => {
            crate::diag::error(
                "funnel::lsp::connection_lost",
                format!("funnel lsp lost its connection: {e}"),
                None,
            );
            2
        }
    }
}
