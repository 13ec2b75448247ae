//! The audit log's hash chain: each record's hash covers its fields and the previous
//! record's hash, so changing, removing or inserting a record anywhere breaks every hash
//! after it ([`verify`] names the first broken record).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One change: who, when, from where, what, before → after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Position in the log (1, 2, …; no gaps).
    pub seq: i64,
    /// When, in milliseconds since 1970-01-01 UTC.
    pub at_ms: i64,
    /// User name (or `cli:<os user>` for command-line changes).
    pub actor: String,
    /// Client address, if known.
    pub address: String,
    /// What kind of change (`facility_year.save`, `approval.approve`, `import.resources`…).
    pub action: String,
    /// What was changed (`facility:… year:2024`, `unit:500109 year:2024`…).
    pub target: String,
    /// The record before, as JSON (`null` if new).
    pub before: String,
    /// The record after, as JSON.
    pub after: String,
    /// The previous record's hash.
    pub prev_hash: String,
    /// This record's hash.
    pub hash: String,
}

/// The hash of a record's fields after `prev_hash` (SHA-256, hex).
#[allow(clippy::too_many_arguments)]
pub fn hash_of(
    prev_hash: &str,
    seq: i64,
    at_ms: i64,
    actor: &str,
    address: &str,
    action: &str,
    target: &str,
    before: &str,
    after: &str,
) -> String {
    let mut h = Sha256::new();
    let mut field = |b: &[u8]| {
        // length-prefixed, so no two field lists hash the same bytes
        h.update((b.len() as u64).to_le_bytes());
        h.update(b);
    };
    field(prev_hash.as_bytes());
    field(&seq.to_le_bytes());
    field(&at_ms.to_le_bytes());
    for s in [actor, address, action, target, before, after] {
        field(s.as_bytes());
    }
    hex(&h.finalize())
}

impl AuditRecord {
    /// A record after `prev` (None for the first), with its hash computed.
    #[allow(clippy::too_many_arguments)]
    pub fn next(
        prev: Option<(i64, &str)>,
        at_ms: i64,
        actor: &str,
        address: &str,
        action: &str,
        target: &str,
        before: &str,
        after: &str,
    ) -> AuditRecord {
        let (seq, prev_hash) = match prev {
            Some((s, h)) => (s + 1, h.to_string()),
            None => (1, GENESIS.to_string()),
        };
        let hash = hash_of(
            &prev_hash, seq, at_ms, actor, address, action, target, before, after,
        );
        AuditRecord {
            seq,
            at_ms,
            actor: actor.into(),
            address: address.into(),
            action: action.into(),
            target: target.into(),
            before: before.into(),
            after: after.into(),
            prev_hash,
            hash,
        }
    }

    /// The hash the record's fields give.
    pub fn computed_hash(&self) -> String {
        hash_of(
            &self.prev_hash,
            self.seq,
            self.at_ms,
            &self.actor,
            &self.address,
            &self.action,
            &self.target,
            &self.before,
            &self.after,
        )
    }
}

/// Where the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit log broken at record {seq}: {reason}")]
pub struct ChainBreak {
    /// The first record that does not verify.
    pub seq: i64,
    /// What is wrong.
    pub reason: String,
}

/// Incremental verification, record by record in `seq` order.
#[derive(Debug, Clone, Default)]
pub struct Verifier {
    last: Option<(i64, String)>,
    count: u64,
}

impl Verifier {
    /// Checks the next record.
    pub fn push(&mut self, r: &AuditRecord) -> Result<(), ChainBreak> {
        let (want_seq, want_prev) = match &self.last {
            Some((s, h)) => (s + 1, h.as_str()),
            None => (1, GENESIS),
        };
        let broken = |reason: String| ChainBreak { seq: r.seq, reason };
        if r.seq != want_seq {
            return Err(ChainBreak {
                seq: want_seq,
                reason: format!("record {want_seq} is missing (next is {})", r.seq),
            });
        }
        if r.prev_hash != want_prev {
            return Err(broken(
                "its previous hash does not match the record before".into(),
            ));
        }
        if r.computed_hash() != r.hash {
            return Err(broken("its contents do not match its hash".into()));
        }
        self.last = Some((r.seq, r.hash.clone()));
        self.count += 1;
        Ok(())
    }

    /// Records verified so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The last verified hash (the head of the chain).
    pub fn head(&self) -> Option<&str> {
        self.last.as_ref().map(|(_, h)| h.as_str())
    }
}

impl Verifier {
    /// Ends verification against the head the store recorded separately (last `seq` and
    /// hash): a chain cut short at its end verifies link by link, but not to its head.
    pub fn finish(&self, head: Option<(i64, &str)>) -> Result<u64, ChainBreak> {
        let last = self.last.as_ref().map(|(s, h)| (*s, h.as_str()));
        if last != head {
            let seq = last.map_or(1, |(s, _)| s + 1);
            return Err(ChainBreak {
                seq,
                reason: match head {
                    Some((s, _)) => format!("the log ends before its recorded head (record {s})"),
                    None => "the log has records but no recorded head".into(),
                },
            });
        }
        Ok(self.count)
    }
}

/// Verifies a whole log in order against its recorded head; the number of records.
pub fn verify<'a>(
    records: impl IntoIterator<Item = &'a AuditRecord>,
    head: Option<(i64, &str)>,
) -> Result<u64, ChainBreak> {
    let mut v = Verifier::default();
    for r in records {
        v.push(r)?;
    }
    v.finish(head)
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn head(c: &[AuditRecord]) -> Option<(i64, &str)> {
        c.last().map(|r| (r.seq, r.hash.as_str()))
    }

    fn chain(n: usize) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for i in 0..n {
            let prev = out.last().map(|r| (r.seq, r.hash.as_str()));
            let r = AuditRecord::next(
                prev,
                1_700_000_000_000 + i as i64,
                "clerk",
                "127.0.0.1",
                "facility_year.save",
                &format!("facility:F{i} year:2024"),
                "null",
                &format!("{{\"beds\":{i}}}"),
            );
            out.push(r);
        }
        out
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, head(&c)), Ok(5));
        assert_eq!(verify(&chain(0), None), Ok(0));
    }

    proptest! {
        #[test]
        fn any_tampering_is_detected(n in 1usize..20, at in 0usize..20, how in 0u8..4) {
            let mut c = chain(n);
            let original = c.clone();
            let at = at % n;
            match how {
                0 => c[at].after.push(' '),
                1 => c[at].actor = "someone else".into(),
                2 => { c.remove(at); }
                _ => c.swap(at, (at + 1) % n),
            }
            if how == 3 && n == 1 {
                return Ok(()); // swapping a record with itself changes nothing
            }
            let err = verify(&c, head(&original)).unwrap_err();
            prop_assert!(err.seq as usize <= at + 2, "{err} at {at}");
        }
    }

    #[test]
    fn a_rehashed_record_still_breaks_the_next_link() {
        let mut c = chain(3);
        c[1].after = "{\"beds\":999}".into();
        c[1].hash = c[1].computed_hash();
        let err = verify(&c, head(&c)).unwrap_err();
        assert_eq!(err.seq, 3);
    }
}
