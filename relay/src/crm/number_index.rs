//! The phone numbers of every contact, in memory: an inbound INVITE is filed
//! against its caller's contact (and rings the responsible manager) without
//! touching SQLite. Loaded at start, kept current by every path that writes
//! contact phones (`contacts::create` callers refresh the contact after their
//! transaction commits). An E.164 number is at most 15 digits, so it is kept
//! as a `u64`: about 40 bytes a phone with the table's overhead (100 000
//! contacts with two phones each: under 10 MB, see the test below).

use std::collections::HashMap;
use std::sync::RwLock;

use sqlx::SqlitePool;

/// Who a number belongs to: the contact, and its responsible manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub contact_id: i64,
    pub responsible_id: Option<i64>,
}

#[derive(Default)]
pub struct NumberIndex {
    owners: RwLock<HashMap<u64, Owner>>,
}

/// `+74951234567` → 74951234567; None for anything that is not E.164.
fn key(e164: &str) -> Option<u64> {
    let digits = e164.strip_prefix('+')?;
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl NumberIndex {
    /// The contact owning `e164` (the lowest contact id when several share
    /// the number, as the call log's lookup does) and its manager.
    pub fn owner(&self, e164: &str) -> Option<Owner> {
        let key = key(e164)?;
        self.owners.read().expect("number index").get(&key).copied()
    }

    fn insert(owners: &mut HashMap<u64, Owner>, e164: &str, owner: Owner) {
        let Some(key) = key(e164) else {
            return;
        };
        owners
            .entry(key)
            .and_modify(|o| {
                if owner.contact_id <= o.contact_id {
                    *o = owner;
                }
            })
            .or_insert(owner);
    }

    /// Reads every contact phone again (at start, or after a bulk import
    /// written straight to the database).
    pub async fn reload(&self, db: &SqlitePool) -> sqlx::Result<usize> {
        let rows: Vec<(String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT p.e164, c.id, c.responsible_id FROM contact_phones p
               JOIN contacts c ON c.id = p.contact_id WHERE p.e164 IS NOT NULL",
        )
        .fetch_all(db)
        .await?;
        let mut owners = HashMap::with_capacity(rows.len());
        for (e164, contact_id, responsible_id) in rows {
            let owner = Owner {
                contact_id,
                responsible_id,
            };
            Self::insert(&mut owners, &e164, owner);
        }
        let count = owners.len();
        *self.owners.write().expect("number index") = owners;
        Ok(count)
    }

    /// Contact `contact_id` was created or changed (its phones or manager):
    /// its entries are read again from the database.
    pub async fn refresh_contact(&self, db: &SqlitePool, contact_id: i64) -> sqlx::Result<()> {
        let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
            "SELECT p.e164, c.responsible_id FROM contact_phones p
               JOIN contacts c ON c.id = p.contact_id
              WHERE c.id = $1 AND p.e164 IS NOT NULL",
        )
        .bind(contact_id)
        .fetch_all(db)
        .await?;
        let mut owners = self.owners.write().expect("number index");
        owners.retain(|_, o| o.contact_id != contact_id);
        for (e164, responsible_id) in rows {
            let owner = Owner {
                contact_id,
                responsible_id,
            };
            Self::insert(&mut owners, &e164, owner);
        }
        Ok(())
    }

    /// Files `e164` under `owner` (tests of the switch).
    pub fn set(&self, e164: &str, owner: Owner) {
        Self::insert(&mut self.owners.write().expect("number index"), e164, owner);
    }

    /// How many numbers are indexed.
    pub fn len(&self) -> usize {
        self.owners.read().expect("number index").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The memory the table holds: its buckets (key, value and one control
    /// byte each, as hashbrown lays them out).
    pub fn heap_bytes(&self) -> usize {
        let owners = self.owners.read().expect("number index");
        owners.capacity() * (std::mem::size_of::<(u64, Owner)>() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_e164_numbers_have_a_key() {
        assert_eq!(key("+74951234567"), Some(74_951_234_567));
        assert_eq!(key("84951234567"), None);
        assert_eq!(key("+"), None);
        assert_eq!(key("+7495 123"), None);
        assert_eq!(key("+1234567890123456"), None, "16 digits is no E.164");
    }

    #[test]
    fn a_shared_number_belongs_to_the_lowest_contact_id() {
        let mut owners = HashMap::new();
        let owner = |contact_id, responsible_id| Owner {
            contact_id,
            responsible_id,
        };
        NumberIndex::insert(&mut owners, "+74951234567", owner(7, Some(2)));
        NumberIndex::insert(&mut owners, "+74951234567", owner(3, None));
        NumberIndex::insert(&mut owners, "+74951234567", owner(9, Some(1)));
        let index = NumberIndex {
            owners: RwLock::new(owners),
        };
        assert_eq!(index.owner("+74951234567"), Some(owner(3, None)));
        assert_eq!(index.owner("+74951234568"), None);
    }

    #[test]
    fn a_hundred_thousand_contacts_with_two_phones_each_fit_in_under_ten_megabytes() {
        let mut owners = HashMap::new();
        for n in 0..100_000i64 {
            for phone in [format!("+7495{:07}", n), format!("+7916{:07}", n)] {
                let owner = Owner {
                    contact_id: n + 1,
                    responsible_id: Some(n % 40),
                };
                NumberIndex::insert(&mut owners, &phone, owner);
            }
        }
        let index = NumberIndex {
            owners: RwLock::new(owners),
        };
        assert_eq!(index.len(), 200_000);
        let mb = index.heap_bytes() as f64 / 1e6;
        println!("number index: 100 000 contacts, 200 000 phones: {mb:.1} MB");
        assert!(mb < 10.0, "{mb:.1} MB");
        assert_eq!(
            index.owner("+74950099999").map(|o| o.contact_id),
            Some(100_000)
        );
    }
}
