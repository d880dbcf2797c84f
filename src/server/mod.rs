//! The local platform server (`livedesk serve`): plays a script over the feed protocol,
//! answers commands with acks and supports resume, so demos, rehearsals and tests run the
//! same client code as a real stream.

mod commands;
mod session;
mod stream;

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};
use tracing::{debug, warn};

use crate::feed::script::Script;
use crate::protocol::StreamInfo;

use commands::Commands;
use stream::{CHANNEL_FRAMES, Clock, LiveStream, RESUME_FRAMES};

/// Script time between the end of one loop and the start of the next (scaled by speed).
pub const LOOP_PAUSE_MS: u64 = 2_000;

/// Time the sessions get to close cleanly when the server stops.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// How to run the server.
#[derive(Clone)]
pub struct ServerOptions {
    /// Where to listen; port 0 picks a free port (see [`ServerHandle::addr`]).
    pub addr: SocketAddr,
    /// The script whose events are played (operator lines are ignored).
    pub script: Script,
    /// 1.0 plays in real time; 10.0 ten times faster.
    pub speed: f64,
    /// Starts the script over after its end (ids get a `~n` suffix in round n).
    pub looped: bool,
    /// What `welcome` says about the stream.
    pub stream: StreamInfo,
    /// When set, clients must send `Authorization: Bearer <token>` or are closed with 1008.
    pub token: Option<String>,
    /// Prints every client frame to stdout as `<- {json}`, for rehearsals and tests.
    pub log_commands: bool,
}

impl std::fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerOptions")
            .field("addr", &self.addr)
            .field("script_lines", &self.script.lines.len())
            .field("speed", &self.speed)
            .field("looped", &self.looped)
            .field("stream", &self.stream)
            .field("token", &self.token.as_ref().map(|_| "<hidden>"))
            .field("log_commands", &self.log_commands)
            .finish()
    }
}

/// A running server; dropping it (or [`ServerHandle::shutdown`]) stops it.
pub struct ServerHandle {
    /// The address actually listened on.
    pub addr: SocketAddr,
    stop: Option<watch::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl ServerHandle {
    /// The URL clients connect to.
    pub fn url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// Stops the server: clients are closed with 1001, then the listener goes.
    pub async fn shutdown(mut self) {
        self.stop.take();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        // Dropping the sender closes the channel every task watches.
        self.stop.take();
    }
}

/// What every session shares.
pub(crate) struct Shared {
    live: LiveStream,
    commands: Commands,
    stream: StreamInfo,
    /// The id of this run's numbering, sent in every welcome: seqs start at 1 each run, so
    /// a client that knew an earlier run's can tell the numbers mean other events now.
    epoch: String,
    token: Option<String>,
    log_commands: bool,
    /// Notified by the first client: the stream's clock starts then.
    start_clock: Notify,
}

/// Binds the address and starts serving; the stream's clock starts with the first client.
pub async fn start(opts: ServerOptions) -> anyhow::Result<ServerHandle> {
    start_with(opts, RESUME_FRAMES, CHANNEL_FRAMES).await
}

async fn start_with(
    opts: ServerOptions,
    resume_frames: usize,
    channel: usize,
) -> anyhow::Result<ServerHandle> {
    if !(opts.speed.is_finite() && opts.speed > 0.0) {
        anyhow::bail!("speed must be a number above 0 (1.0 is real time), not {}", opts.speed);
    }
    let listener =
        TcpListener::bind(opts.addr).await.with_context(|| format!("cannot listen on {}", opts.addr))?;
    let addr = listener.local_addr()?;

    let mut stream = opts.stream;
    if stream.platform.is_empty() {
        stream.platform = "livedesk".into();
    }
    if stream.started_at.is_empty() {
        stream.started_at = stream::now_ts();
    }
    let shared = Arc::new(Shared {
        live: LiveStream::new(resume_frames, channel),
        commands: Commands::new(&stream.title),
        stream,
        epoch: format!("{:016x}", fastrand::u64(..)),
        token: opts.token,
        log_commands: opts.log_commands,
        start_clock: Notify::new(),
    });
    let clock = Clock {
        events: opts.script.events().map(|(at, e)| (at, e.clone())).collect(),
        duration_ms: opts.script.duration_ms(),
        speed: opts.speed,
        looped: opts.looped,
    };

    let (stop, stopped) = watch::channel(());
    let clock_shared = Arc::clone(&shared);
    let clock_stopped = stopped.clone();
    tokio::spawn(
        async move { clock.run(&clock_shared.live, &clock_shared.start_clock, clock_stopped).await },
    );
    let task = tokio::spawn(accept_loop(listener, shared, stopped));

    if opts.log_commands {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on ws://{addr}");
        let _ = out.flush();
    }
    debug!(%addr, "server listening");
    Ok(ServerHandle { addr, stop: Some(stop), task: Some(task) })
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stopped: watch::Receiver<()>) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    sessions.spawn(session::serve(tcp, peer, Arc::clone(&shared), stopped.clone()));
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait, don't spin.
                    warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(STOP_GRACE, async { while sessions.join_next().await.is_some() {} });
    if drained.await.is_err() {
        sessions.abort_all();
    }
}

#[cfg(test)]
mod tests;
