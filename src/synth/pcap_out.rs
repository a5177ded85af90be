//! Writing export datagrams as a classic pcap (Ethernet/IPv4/UDP frames), microsecond stamps.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::Path;

use etherparse::PacketBuilder;

use crate::error::{Error, Result};

/// Writes export datagrams as UDP/IPv4-or-6/Ethernet frames into a classic pcap file.
pub struct PcapWriter {
    out: BufWriter<File>,
    path: std::path::PathBuf,
    frame: Vec<u8>,
}

impl PcapWriter {
    /// Create the file and write the pcap header.
    pub fn create(path: &Path) -> Result<Self> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let mut h = Vec::with_capacity(24);
        h.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        h.extend_from_slice(&2u16.to_le_bytes());
        h.extend_from_slice(&4u16.to_le_bytes());
        h.extend_from_slice(&0i32.to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(&65_535u32.to_le_bytes());
        h.extend_from_slice(&1u32.to_le_bytes()); // LINKTYPE_ETHERNET
        out.write_all(&h).map_err(|e| Error::io(path, e))?;
        Ok(PcapWriter { out, path: path.to_path_buf(), frame: Vec::with_capacity(2048) })
    }

    /// Append one UDP datagram `from` → `to` captured at `ts_ms`.
    pub fn write_datagram(
        &mut self,
        from: SocketAddrV4,
        to: SocketAddrV4,
        ts_ms: i64,
        payload: &[u8],
    ) -> Result<()> {
        self.frame.clear();
        let builder = PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
            .ipv4(from.ip().octets(), to.ip().octets(), 64)
            .udp(from.port(), to.port());
        builder
            .write(&mut self.frame, payload)
            .map_err(|e| Error::config("synthetic datagram", e.to_string()))?;
        let mut rec = Vec::with_capacity(16);
        rec.extend_from_slice(&((ts_ms.div_euclid(1000)) as u32).to_le_bytes());
        rec.extend_from_slice(&((ts_ms.rem_euclid(1000) * 1000) as u32).to_le_bytes());
        rec.extend_from_slice(&(self.frame.len() as u32).to_le_bytes());
        rec.extend_from_slice(&(self.frame.len() as u32).to_le_bytes());
        let path = &self.path;
        self.out.write_all(&rec).map_err(|e| Error::io(path, e))?;
        self.out.write_all(&self.frame).map_err(|e| Error::io(path, e))
    }

    /// Flush what is buffered.
    pub fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::io(&self.path, e))
    }
}

/// Collector address used in synthetic captures.
pub fn collector(port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(Ipv4Addr::new(192, 0, 2, 254), port)
}
