//! UDP sockets for live collection: bound with the asked receive buffer, each received
//! datagram timestamped and handed to a bounded queue (never blocking on disk): a full queue
//! drops the datagram and counts it, so overload is visible, not silent. The live loop that
//! drains the queue is `capture::live`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;

use super::Datagram;
use crate::error::{Error, Result};

/// Now, UTC epoch ms (a datagram's arrival time).
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A UDP socket with a large receive buffer; IPv6 sockets are v6-only so `0.0.0.0:P` and
/// `[::]:P` can both be given.
/// A UDP socket on `addr` with a receive buffer of `recv_buffer` bytes (asked; the kernel may
/// give less), non-blocking for tokio.
pub fn bind(addr: SocketAddr, recv_buffer: usize) -> Result<std::net::UdpSocket> {
    let listen = |e| Error::Listen { addr, source: e };
    let socket =
        Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP)).map_err(listen)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true).map_err(listen)?;
    }
    if let Err(e) = socket.set_recv_buffer_size(recv_buffer) {
        tracing::warn!(%addr, "cannot set receive buffer to {recv_buffer} bytes: {e}");
    }
    let granted = socket.recv_buffer_size().unwrap_or(0);
    if granted < recv_buffer / 2 {
        tracing::warn!(%addr, granted, asked = recv_buffer, "receive buffer capped by the kernel (raise net.core.rmem_max)");
    }
    socket.set_nonblocking(true).map_err(listen)?;
    socket.bind(&addr.into()).map_err(listen)?;
    Ok(socket.into())
}

/// Receive datagrams into `tx` until it closes; a full queue drops the datagram and counts it
/// in `full`.
pub async fn receive(socket: UdpSocket, tx: SyncSender<Datagram>, full: Arc<AtomicU64>) {
    let mut buf = vec![0u8; 65_535];
    loop {
        match socket.recv_from(&mut buf).await {
            Ok((n, from)) => {
                let dg =
                    Datagram { exporter: from, received_ms: now_ms(), payload: buf[..n].to_vec() };
                match tx.try_send(dg) {
                    Ok(()) => {}
                    Err(TrySendError::Full(_)) => {
                        full.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(TrySendError::Disconnected(_)) => return,
                }
            }
            Err(e) => tracing::warn!("receive error: {e}"),
        }
    }
}
