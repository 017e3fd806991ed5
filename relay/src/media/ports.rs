//! The UDP port pool: leases ports from the configured range and takes them
//! back when the lease is dropped, so a call that ends — however it ends —
//! never leaks a port. Freed ports go to the back of the rotation, so a late
//! packet of an old call rarely lands on a new one.

use std::sync::{Arc, Mutex, MutexGuard};

/// Hands out ports from one range; cheap to clone (all clones share the pool).
#[derive(Debug, Clone)]
pub struct PortAllocator {
    pool: Arc<Mutex<Pool>>,
}

#[derive(Debug)]
struct Pool {
    first: u16,
    used: Vec<bool>,
    next: usize,
    in_use: usize,
}

/// `count` consecutive ports starting at `port`, returned to the pool on drop.
#[derive(Debug)]
pub struct PortLease {
    port: u16,
    count: u16,
    pool: Arc<Mutex<Pool>>,
}

fn lock(pool: &Mutex<Pool>) -> MutexGuard<'_, Pool> {
    // The pool holds plain data that every operation leaves consistent, so a
    // panic elsewhere while holding the lock cannot corrupt it.
    pool.lock().unwrap_or_else(|e| e.into_inner())
}

impl PortAllocator {
    pub fn new(range: std::ops::RangeInclusive<u16>) -> Self {
        let (first, last) = (*range.start(), *range.end());
        let len = if last >= first {
            usize::from(last - first) + 1
        } else {
            0
        };
        PortAllocator {
            pool: Arc::new(Mutex::new(Pool {
                first,
                used: vec![false; len],
                // A random start: a restarted relay (or another one on
                // the same range) does not begin where late packets of
                // the last one's calls still arrive.
                next: if len == 0 {
                    0
                } else {
                    (rand::random::<u32>() as usize) % len
                },
                in_use: 0,
            })),
        }
    }

    /// One free port, or `None` when the range is exhausted.
    pub fn lease(&self) -> Option<PortLease> {
        self.lease_block(1, false)
    }

    /// An even port and the odd one above it (RTP and RTCP, RFC 3550 §11).
    pub fn lease_pair(&self) -> Option<PortLease> {
        self.lease_block(2, true)
    }

    fn lease_block(&self, count: u16, even: bool) -> Option<PortLease> {
        let mut pool = lock(&self.pool);
        let len = pool.used.len();
        let count_us = usize::from(count);
        for step in 0..len {
            let i = (pool.next + step) % len;
            if i + count_us > len {
                continue;
            }
            let port = u32::from(pool.first) + i as u32;
            if even && !port.is_multiple_of(2) {
                continue;
            }
            if pool.used[i..i + count_us].iter().any(|u| *u) {
                continue;
            }
            pool.used[i..i + count_us]
                .iter_mut()
                .for_each(|u| *u = true);
            pool.in_use += count_us;
            pool.next = (i + count_us) % len;
            return Some(PortLease {
                port: port as u16,
                count,
                pool: self.pool.clone(),
            });
        }
        None
    }

    /// How many ports are leased right now.
    pub fn in_use(&self) -> usize {
        lock(&self.pool).in_use
    }
}

impl PortLease {
    /// The first (for a pair: the even RTP) port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for PortLease {
    fn drop(&mut self) {
        let mut pool = lock(&self.pool);
        let i = usize::from(self.port - pool.first);
        let n = usize::from(self.count);
        pool.used[i..i + n].iter_mut().for_each(|u| *u = false);
        pool.in_use -= n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_until_exhausted_and_frees_on_drop() {
        let a = PortAllocator::new(20000..=20003);
        let p = a.lease_pair().unwrap();
        assert_eq!(p.port() % 2, 0);
        let q = a.lease_pair().unwrap();
        assert_ne!(p.port(), q.port());
        assert!(a.lease().is_none());
        assert_eq!(a.in_use(), 4);
        drop(p);
        assert_eq!(a.in_use(), 2);
        let one = a.lease().unwrap();
        let two = a.lease().unwrap();
        assert_ne!(one.port(), two.port());
        assert!(a.lease().is_none());
        drop((one, two, q));
        assert_eq!(a.in_use(), 0);
    }

    #[test]
    fn pairs_start_even_in_an_odd_range() {
        let a = PortAllocator::new(30001..=30006);
        let p = a.lease_pair().unwrap();
        let q = a.lease_pair().unwrap();
        let mut got = [p.port(), q.port()];
        got.sort();
        assert_eq!(got, [30002, 30004]);
        assert!(a.lease_pair().is_none());
        assert!(a.lease().is_some());
    }

    #[test]
    fn freed_ports_are_reused_last() {
        let a = PortAllocator::new(40000..=40009);
        let first = a.lease().unwrap().port();
        let second = a.lease().unwrap().port();
        let next = if first == 40009 { 40000 } else { first + 1 };
        assert_eq!(second, next, "the freed port waits for its turn");
    }
}
