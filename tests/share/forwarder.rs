//! A TCP forwarder on 127.0.0.1 the test can cut and restore: the network between a walk and
//! CloudWatch Logs going away and coming back. While cut, it accepts each connection and closes
//! it at once without reading (the request never reaches the emulator), counting them, so a test
//! can wait until the walk has seen the network fail. Cutting also closes the connections
//! already open, so the SDK's pooled connection cannot slip through. Stalled, it accepts each
//! connection and holds it without reading or answering: a network that swallows requests, so
//! they wait out their timeout.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub struct Forwarder {
    pub port: u16,
    state: Arc<State>,
}

#[derive(Default)]
struct State {
    cut: AtomicBool,
    stalled: AtomicBool,
    /// Connections held unanswered while stalled.
    held: Mutex<Vec<TcpStream>>,
    /// Connections turned away while cut.
    refused: AtomicUsize,
    streams: Mutex<Vec<TcpStream>>,
}

impl Forwarder {
    /// A forwarder to `upstream` (`host:port`), cut at first.
    pub fn cut_at_start(upstream: &str) -> Forwarder {
        let forwarder = Forwarder::open(upstream);
        forwarder.cut();
        forwarder
    }

    /// A forwarder to `upstream`, stalled at first.
    pub fn stalled_at_start(upstream: &str) -> Forwarder {
        let forwarder = Forwarder::open(upstream);
        forwarder.state.stalled.store(true, Ordering::Release);
        forwarder
    }

    /// A forwarder to `upstream`, passing everything.
    pub fn open(upstream: &str) -> Forwarder {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the forwarder");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(State::default());
        let shared = Arc::clone(&state);
        let upstream = upstream.to_string();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if shared.cut.load(Ordering::Acquire) {
                    shared.refused.fetch_add(1, Ordering::AcqRel);
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                if shared.stalled.load(Ordering::Acquire) {
                    shared.held.lock().unwrap().push(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let mut streams = shared.streams.lock().unwrap();
                for s in [&client, &server] {
                    if let Ok(c) = s.try_clone() {
                        streams.push(c);
                    }
                }
                pipe(&client, &server);
                pipe(&server, &client);
            }
        });
        Forwarder { port, state }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Passes connections again (closing any held while stalled).
    pub fn restore(&self) {
        self.state.cut.store(false, Ordering::Release);
        self.state.stalled.store(false, Ordering::Release);
        self.drop_held();
    }

    /// Turns new connections away and closes every open one.
    pub fn cut(&self) {
        self.state.cut.store(true, Ordering::Release);
        self.state.stalled.store(false, Ordering::Release);
        self.drop_held();
        for s in self.state.streams.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// Connections held unanswered right now.
    pub fn held(&self) -> usize {
        self.state.held.lock().unwrap().len()
    }

    fn drop_held(&self) {
        for s in self.state.held.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// Connections turned away since the forwarder started.
    pub fn refused(&self) -> usize {
        self.state.refused.load(Ordering::Acquire)
    }
}

fn pipe(from: &TcpStream, to: &TcpStream) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}
