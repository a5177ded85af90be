//! Export sequence numbers → loss and reordering counts, per scope.
//!
//! A jump forward is a gap (the units in between are counted lost); a datagram that arrives
//! late and falls inside a remembered gap fills it again, so plain reordering ends with zero
//! loss instead of "lost, then a stray old datagram". Only the most recent gaps are remembered
//! (bounded memory on a hostile stream); a late arrival outside them counts as reordered only.

use std::collections::VecDeque;

use super::tally::ExporterStats;

/// Gaps remembered per scope for late arrivals to fill.
const REMEMBERED_GAPS: usize = 64;

/// Sequence numbers of one scope: counts gaps, losses and reordering, lets late arrivals fill gaps.
#[derive(Debug, Default)]
pub struct SequenceTracker {
    /// Sequence number expected next; `None` until known or after a resync.
    next: Option<u32>,
    /// Still-missing ranges `(first, count)`, oldest first.
    missing: VecDeque<(u32, u32)>,
}

impl SequenceTracker {
    /// Account for a datagram with sequence number `seq` that advances the sequence by
    /// `advance` units (`None`: unknown, e.g. template-less IPFIX sets: resync on the next).
    pub fn observe(&mut self, seq: u32, advance: Option<u32>, es: &mut ExporterStats) {
        if let Some(expected) = self.next {
            let diff = seq.wrapping_sub(expected) as i32;
            if diff > 0 {
                es.sequence_gaps += 1;
                es.sequence_lost += diff as u64;
                if self.missing.len() == REMEMBERED_GAPS {
                    self.missing.pop_front();
                }
                self.missing.push_back((expected, diff as u32));
            } else if diff < 0 {
                es.sequence_reordered += 1;
                if let Some(n) = advance {
                    self.fill(seq, n, es);
                }
                return;
            }
        }
        self.next = advance.map(|a| seq.wrapping_add(a));
    }

    /// A late datagram covering `[seq, seq + n)`: take it out of the gap that holds it.
    fn fill(&mut self, seq: u32, n: u32, es: &mut ExporterStats) {
        let Some(i) = self.missing.iter().position(|&(first, count)| {
            let off = seq.wrapping_sub(first);
            off < count && n <= count - off
        }) else {
            return;
        };
        let (first, count) = self.missing[i];
        let off = seq.wrapping_sub(first);
        es.sequence_lost = es.sequence_lost.saturating_sub(u64::from(n));
        let rest = count - off - n;
        self.missing.remove(i);
        if rest > 0 {
            self.missing.insert(i, (seq.wrapping_add(n), rest));
        }
        if off > 0 {
            self.missing.insert(i, (first, off));
        }
        if off == 0 && rest == 0 {
            // The gap is closed: it was reordering, not loss.
            es.sequence_gaps = es.sequence_gaps.saturating_sub(1);
        }
        if self.missing.len() > REMEMBERED_GAPS {
            self.missing.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seqs: &[(u32, u32)]) -> ExporterStats {
        let mut t = SequenceTracker::default();
        let mut es = ExporterStats::default();
        for &(s, n) in seqs {
            t.observe(s, Some(n), &mut es);
        }
        es
    }

    #[test]
    fn reordering_is_not_loss() {
        // v5-style: 30 flows per datagram; the second and third arrive swapped.
        let es = run(&[(0, 30), (60, 30), (30, 30), (90, 30)]);
        assert_eq!((es.sequence_gaps, es.sequence_lost, es.sequence_reordered), (0, 0, 1));
    }

    #[test]
    fn loss_stays_loss_and_partial_fills_keep_the_gap() {
        let es = run(&[(0, 10), (40, 10), (20, 10), (50, 10)]);
        // 10..40 missing, 20..30 arrived late: 20 units in two pieces still missing, one gap.
        assert_eq!((es.sequence_gaps, es.sequence_lost, es.sequence_reordered), (1, 20, 1));
        // A stray old datagram outside any gap is reordered, not "found".
        let es = run(&[(0, 10), (10, 10), (0, 10)]);
        assert_eq!((es.sequence_gaps, es.sequence_lost, es.sequence_reordered), (0, 0, 1));
    }

    #[test]
    fn gaps_across_the_wrap() {
        let es = run(&[(u32::MAX - 9, 10), (10, 10), (0, 10)]);
        assert_eq!((es.sequence_gaps, es.sequence_lost), (0, 0));
    }
}
