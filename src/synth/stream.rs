//! The record stream: background, admin work and injected scenario merged in end-time order,
//! and assigned to exporters (with duplicates).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::encode::SynthFlow;
use super::traffic::Traffic;
use super::{SynthConfig, admin, network, scenario};

/// Every generated record in end-time order: background, admin work and the injected
/// scenario merged; plus the ground truth.
pub fn flows(cfg: &SynthConfig) -> (Box<dyn Iterator<Item = SynthFlow>>, scenario::Truth) {
    let t = &cfg.traffic;
    let background = Traffic::new(t.clone());
    let timeout = cfg.behaviour.active_timeout_ms;
    let admin = admin::build(t.seed, t.hosts, t.start_ms, t.span_ms, timeout, cfg.admin);
    let (injected, mut truth) = if cfg.chains > 0 {
        scenario::build(t.seed, cfg.chains, t.start_ms, t.span_ms, timeout)
    } else {
        (Vec::new(), scenario::Truth::default())
    };
    truth.benign = admin.chains;
    truth.trusted = network::TRUSTED_CIDRS.iter().map(|c| c.to_string()).collect();
    let mut extra = admin.flows;
    extra.extend(injected);
    extra.sort_by_key(|f| f.end_ms);
    (Box::new(merge_by_end(Box::new(background), extra)), truth)
}

/// Background records and `extra` (sorted by end) merged in end-time order.
pub fn merge_by_end(
    background: Box<dyn Iterator<Item = SynthFlow>>,
    extra: Vec<SynthFlow>,
) -> impl Iterator<Item = SynthFlow> {
    let mut background = background.peekable();
    let mut extra = extra.into_iter().peekable();
    std::iter::from_fn(move || match (background.peek(), extra.peek()) {
        (Some(b), Some(i)) if i.end_ms < b.end_ms => extra.next(),
        (Some(_), _) => background.next(),
        (None, _) => extra.next(),
    })
}

/// Every record as the exporters send it: `(exporter index, is a duplicate, record)`, round
/// robin over the exporters, and a `duplicates` share sent by the next exporter too.
pub fn exported(cfg: &SynthConfig) -> impl Iterator<Item = (usize, bool, SynthFlow)> {
    assign_exporters(cfg, flows(cfg).0)
}

/// `flows` as the exporters of `cfg` send them (see `exported`).
pub fn assign_exporters(
    cfg: &SynthConfig,
    flows: impl Iterator<Item = SynthFlow>,
) -> impl Iterator<Item = (usize, bool, SynthFlow)> {
    let n = cfg.exporters.max(1) as usize;
    let share = if n > 1 { cfg.behaviour.duplicates.clamp(0.0, 1.0) } else { 0.0 };
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.traffic.seed ^ 0xd0_b1e5);
    flows.enumerate().flat_map(move |(i, f)| {
        let idx = i % n;
        let dup = (share > 0.0 && rng.random_bool(share)).then(|| ((idx + 1) % n, true, f.clone()));
        std::iter::once((idx, false, f)).chain(dup)
    })
}
