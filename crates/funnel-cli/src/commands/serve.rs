//! `funnel serve PLAYBOOK --state FILE [--listen ADDR]`: the HTTP front
//! door of live mode (routes in `funnel_live::serve`). Timers fire every
//! `--tick` seconds of the wall clock; with `--deliver`, a delivery thread
//! sends due actions as they appear. Stops cleanly on Ctrl-C or SIGTERM;
//! a kill at any other moment loses nothing committed.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use funnel_data::decode::parse_instant;
use funnel_live::deliver::{Counters, Deliverer};
use funnel_live::serve::{serve, App, Config};
use funnel_live::{Clock, SimClock, Store, SystemClock};

use super::live::{fail, open_live, read_secret, DeliverArgs};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The playbook in force.
    pub playbook: PathBuf,
    /// The state file (`funnel live init` makes one).
    #[arg(long, value_name = "FILE")]
    pub state: PathBuf,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// A file whose first line is the bearer token every route but
    /// `/healthz` requires. Without it the server is open: bind it to
    /// 127.0.0.1 only.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Largest request body, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 8 << 20)]
    pub max_body: usize,
    /// Seconds between timer checks.
    #[arg(long, value_name = "SECS", default_value_t = 1)]
    pub tick: u64,
    /// Run the playbook's clock at this fixed instant instead of the wall
    /// clock (for tests and rehearsals on past data).
    #[arg(long, value_name = "T")]
    pub now: Option<String>,
    /// A run-time input, `NAME=VALUE` (repeatable).
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
    /// Put a changed playbook in force even though its plan shows changes.
    #[arg(long)]
    pub accept_plan: bool,
    #[command(flatten)]
    pub deliver: DeliverArgs,
}

pub fn run(args: Args) -> u8 {
    let live = match open_live(&args.playbook, &args.state, &args.inputs, args.accept_plan) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let token = match &args.token_file {
        Some(p) => match read_secret(p, "--token-file") {
            Ok(t) => Some(t),
            Err(code) => return code,
        },
        None => None,
    };
    let target = match args.deliver.target() {
        Ok(t) => t,
        Err(code) => return code,
    };
    let clock: Arc<dyn Clock> = match &args.now {
        None => Arc::new(SystemClock),
        Some(t) => match parse_instant(t.trim(), live.pb.compiled.tz) {
            Ok(t) => Arc::new(SimClock::at(t)),
            Err(reason) => {
                crate::diag::bad_instant("--now", &reason);
                return 2;
            }
        },
    };
    let counters = Arc::new(Counters::default());
    let name = live.pb.compiled.name.clone();
    let cfg = Config {
        token,
        max_body: args.max_body,
    };
    let app = match App::new(live, clock, Arc::new(SystemClock), cfg, counters.clone()) {
        Ok(a) => a,
        Err(e) => return fail(&e),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let worker = target.map(|(target, policy)| {
        let (stop, counters, state) = (stop.clone(), counters.clone(), args.state.clone());
        std::thread::spawn(move || deliver_loop(&state, target, policy, &counters, &stop))
    });
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            crate::diag::error(
                "funnel::live::runtime",
                format!("cannot start the server's runtime: {e}"),
                None,
            );
            return 2;
        }
    };
    let code = rt.block_on(async {
        let listener = match tokio::net::TcpListener::bind(&args.listen).await {
            Ok(l) => l,
            Err(e) => {
                crate::diag::error(
                    "funnel::live::cannot_listen",
                    format!("cannot listen on `{}`: {e}", args.listen),
                    Some("pick a free address with `--listen HOST:PORT`".into()),
                );
                return 2;
            }
        };
        let addr = listener
            .local_addr()
            .map_or(args.listen.clone(), |a| a.to_string());
        eprintln!(
            "funnel serve: `{name}` on http://{addr} (state {})",
            args.state.display()
        );
        let tick = Duration::from_secs(args.tick.max(1));
        match serve(app, listener, tick, shutdown()).await {
            Ok(()) => 0,
            Err(e) => {
                crate::diag::error(
                    "funnel::live::stopped",
                    format!("the server stopped: {e}"),
                    None,
                );
                2
            }
        }
    });
    stop.store(true, Ordering::SeqCst);
    if let Some(w) = worker {
        let _ = w.join();
    }
    code
}

/// Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Deliver due actions until told to stop, on a connection of its own.
fn deliver_loop(
    state: &std::path::Path,
    target: funnel_live::deliver::Target,
    policy: funnel_live::deliver::Policy,
    counters: &Counters,
    stop: &AtomicBool,
) {
    let store = match Store::open(state) {
        Ok(s) => s,
        Err(e) => {
            fail(&e);
            return;
        }
    };
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut d = Deliverer::new(target, policy, seed);
    while !stop.load(Ordering::SeqCst) {
        let now = SystemClock.now();
        match d.run_once(&store.conn, now, 200, counters) {
            Ok(0) => std::thread::sleep(Duration::from_millis(100)),
            Ok(_) => {}
            Err(e) => {
                crate::diag::error(
                    "funnel::live::delivery",
                    format!("delivering: {e}"),
                    Some("delivery is retried every second; check the `--deliver` target".into()),
                );
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }
}
