//! Contacts: search by name, company or any phone format; the contact card;
//! creating contacts with phones normalized to E.164 for lookup by number.

use std::collections::HashMap;

use callcard_shared::api::{Contact, ContactCard, ContactPage, Deal, Note, Phone, Task, UserRef};
use callcard_shared::phone::{self, Region};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

use crate::time::now_rfc3339;

/// What a search matches on, decided from the text the user typed.
#[derive(Debug, Clone, PartialEq)]
enum Matcher {
    All,
    /// Digit sequences any of which may occur in a stored E.164 number.
    Phone(Vec<String>),
    Text(String),
}

fn matcher(q: Option<&str>, region: Region) -> Matcher {
    let q = q.map(str::trim).unwrap_or("");
    if q.is_empty() {
        return Matcher::All;
    }
    if phone::looks_like_phone(q) {
        let mut needles = vec![phone::digits(q)];
        // A complete number in another format (8 (495) … vs +7 495 …) matches
        // through its E.164 form; a fragment matches by its digits.
        if let Some(e164) = phone::to_valid_e164(q, region) {
            needles.push(phone::digits(&e164));
        }
        needles.dedup();
        return Matcher::Phone(needles);
    }
    Matcher::Text(q.to_lowercase())
}

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn push_filter(qb: &mut QueryBuilder<Sqlite>, m: &Matcher) {
    match m {
        Matcher::All => {}
        Matcher::Text(text) => {
            qb.push(" WHERE c.search_text LIKE ")
                .push_bind(format!("%{}%", escape_like(text)))
                .push(" ESCAPE '\\'");
        }
        Matcher::Phone(needles) => {
            qb.push(
                " WHERE EXISTS (SELECT 1 FROM contact_phones p WHERE p.contact_id = c.id AND (",
            );
            for (i, needle) in needles.iter().enumerate() {
                if i > 0 {
                    qb.push(" OR ");
                }
                qb.push("p.e164 LIKE ").push_bind(format!("%{needle}%"));
            }
            qb.push("))");
        }
    }
}

type ContactRow = (
    i64,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
);

const CONTACT_COLUMNS: &str =
    "SELECT c.id, c.name, c.company, c.status, c.email, c.responsible_id, u.display_name
     FROM contacts c LEFT JOIN users u ON u.id = c.responsible_id";

pub async fn search(
    db: &SqlitePool,
    q: Option<&str>,
    limit: u32,
    offset: u32,
    region: Region,
) -> sqlx::Result<ContactPage> {
    let m = matcher(q, region);

    let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM contacts c");
    push_filter(&mut count, &m);
    let (total,): (i64,) = count.build_query_as().fetch_one(db).await?;

    let mut select = QueryBuilder::<Sqlite>::new(CONTACT_COLUMNS);
    push_filter(&mut select, &m);
    select
        .push(" ORDER BY c.name, c.id LIMIT ")
        .push_bind(i64::from(limit))
        .push(" OFFSET ")
        .push_bind(i64::from(offset));
    let rows: Vec<ContactRow> = select.build_query_as().fetch_all(db).await?;
    let items = with_phones(db, rows).await?;
    Ok(ContactPage {
        items,
        total,
        limit,
        offset,
    })
}

async fn with_phones(db: &SqlitePool, rows: Vec<ContactRow>) -> sqlx::Result<Vec<Contact>> {
    let mut phones: HashMap<i64, Vec<Phone>> = HashMap::new();
    if !rows.is_empty() {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT contact_id, id, raw, e164 FROM contact_phones WHERE contact_id IN (",
        );
        let mut ids = qb.separated(", ");
        for row in &rows {
            ids.push_bind(row.0);
        }
        qb.push(") ORDER BY contact_id, position, id");
        let found: Vec<(i64, i64, String, Option<String>)> =
            qb.build_query_as().fetch_all(db).await?;
        for (contact_id, id, raw, e164) in found {
            phones.entry(contact_id).or_default().push(Phone {
                id,
                raw,
                e164,
                reference: Phone::reference_of(id),
            });
        }
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, name, company, status, email, responsible_id, responsible_name)| Contact {
                id,
                name,
                company,
                status,
                email,
                responsible: user_ref(responsible_id, responsible_name),
                phones: phones.remove(&id).unwrap_or_default(),
            },
        )
        .collect())
}

fn user_ref(id: Option<i64>, display_name: Option<String>) -> Option<UserRef> {
    Some(UserRef {
        id: id?,
        display_name: display_name?,
    })
}

/// deals: id, contact, title, amount (minor units), currency, stage, owner id and name, created, closed.
type DealRow = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
);
/// notes: id, contact, body, author id and name, created.
type NoteRow = (i64, i64, String, Option<i64>, Option<String>, String);

pub async fn card(db: &SqlitePool, id: i64) -> sqlx::Result<Option<ContactCard>> {
    let mut select = QueryBuilder::<Sqlite>::new(CONTACT_COLUMNS);
    select.push(" WHERE c.id = ").push_bind(id);
    let row: Option<ContactRow> = select.build_query_as().fetch_optional(db).await?;
    let Some(row) = row else { return Ok(None) };
    let contact = with_phones(db, vec![row]).await?.remove(0);
    let (about,): (Option<String>,) = sqlx::query_as("SELECT notes FROM contacts WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await?;

    let deals: Vec<DealRow> = sqlx::query_as(
        "SELECT d.id, d.contact_id, d.title, d.amount_minor, d.currency, d.stage, d.owner_id,
                    u.display_name, d.created_at, d.closed_at
               FROM deals d LEFT JOIN users u ON u.id = d.owner_id
              WHERE d.contact_id = $1 ORDER BY d.created_at DESC, d.id DESC",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    let notes: Vec<NoteRow> = sqlx::query_as(
        "SELECT n.id, n.contact_id, n.body, n.author_id, u.display_name, n.created_at
           FROM notes n LEFT JOIN users u ON u.id = n.author_id
          WHERE n.contact_id = $1 ORDER BY n.created_at DESC, n.id DESC",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    let tasks: Vec<(i64, i64, String, Option<String>, bool)> = sqlx::query_as(
        "SELECT id, contact_id, title, due_at, done FROM tasks
          WHERE contact_id = $1 ORDER BY done, due_at, id",
    )
    .bind(id)
    .fetch_all(db)
    .await?;

    Ok(Some(ContactCard {
        contact,
        about,
        deals: deals
            .into_iter()
            .map(
                |(
                    id,
                    contact_id,
                    title,
                    amount_minor,
                    currency,
                    stage,
                    owner_id,
                    owner,
                    created_at,
                    closed_at,
                )| Deal {
                    id,
                    contact_id,
                    title,
                    amount_minor,
                    currency,
                    stage,
                    owner: user_ref(owner_id, owner),
                    created_at,
                    closed_at,
                },
            )
            .collect(),
        notes: notes
            .into_iter()
            .map(
                |(id, contact_id, body, author_id, author, created_at)| Note {
                    id,
                    contact_id,
                    body,
                    author: user_ref(author_id, author),
                    created_at,
                },
            )
            .collect(),
        tasks: tasks
            .into_iter()
            .map(|(id, contact_id, title, due_at, done)| Task {
                id,
                contact_id,
                title,
                due_at,
                done,
            })
            .collect(),
    }))
}

pub async fn exists(db: &SqlitePool, id: i64) -> sqlx::Result<bool> {
    let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM contacts WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

pub async fn add_note(
    db: &SqlitePool,
    contact_id: i64,
    author: &UserRef,
    body: &str,
) -> sqlx::Result<Note> {
    let created_at = now_rfc3339();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO notes (contact_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(contact_id)
    .bind(author.id)
    .bind(body)
    .bind(&created_at)
    .fetch_one(db)
    .await?;
    Ok(Note {
        id,
        contact_id,
        body: body.to_string(),
        author: Some(author.clone()),
        created_at,
    })
}

/// A contact to create, phones as typed.
#[derive(Debug, Clone, Default)]
pub struct NewContact<'a> {
    pub name: &'a str,
    pub company: Option<&'a str>,
    pub status: &'a str,
    pub email: Option<&'a str>,
    pub responsible_id: Option<i64>,
    pub notes: Option<&'a str>,
    pub phones: Vec<&'a str>,
}

pub fn search_text(name: &str, company: Option<&str>, email: Option<&str>) -> String {
    [Some(name), company, email]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Inserts a contact and its phones (each also stored as E.164 when it is a number).
pub async fn create(
    conn: &mut sqlx::SqliteConnection,
    new: &NewContact<'_>,
    region: Region,
) -> sqlx::Result<i64> {
    let now = now_rfc3339();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO contacts (name, company, status, email, responsible_id, notes, search_text, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(new.name)
    .bind(new.company)
    .bind(new.status)
    .bind(new.email)
    .bind(new.responsible_id)
    .bind(new.notes)
    .bind(search_text(new.name, new.company, new.email))
    .bind(&now)
    .fetch_one(&mut *conn)
    .await?;
    for (position, raw) in new.phones.iter().enumerate() {
        sqlx::query(
            "INSERT INTO contact_phones (contact_id, raw, e164, position) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(raw)
        .bind(phone::to_e164(raw, region).ok())
        .bind(position as i64)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// The contact owning the phone `e164` and its responsible manager, if any
/// (the lowest contact id when several share the number).
pub async fn contact_by_number(
    db: &SqlitePool,
    e164: &str,
) -> sqlx::Result<Option<(i64, Option<i64>)>> {
    sqlx::query_as(
        "SELECT c.id, c.responsible_id FROM contact_phones p JOIN contacts c ON c.id = p.contact_id
          WHERE p.e164 = $1 ORDER BY c.id LIMIT 1",
    )
    .bind(e164)
    .fetch_optional(db)
    .await
}

/// Whether `user_id` may see contact `contact_id`. The contact list and
/// cards show every contact to every signed-in user (numbers masked per
/// group), so this is: the user exists and is not disabled. A narrower rule
/// for the list belongs here too.
pub async fn visible_to(db: &SqlitePool, user_id: i64, contact_id: i64) -> sqlx::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT c.id FROM contacts c, users u
          WHERE c.id = $1 AND u.id = $2 AND NOT u.disabled",
    )
    .bind(contact_id)
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

/// The number behind a phone reference (`p12`, see `Phone::reference`) for
/// `user_id` to dial: E.164 when the phone has it, else as entered. None
/// for a reference to no phone, or to a contact the user may not see.
pub async fn number_by_reference(
    db: &SqlitePool,
    reference: &str,
    user_id: i64,
) -> sqlx::Result<Option<String>> {
    let Some(id) = Phone::id_of_reference(reference) else {
        return Ok(None);
    };
    let row: Option<(i64, String, Option<String>)> =
        sqlx::query_as("SELECT contact_id, raw, e164 FROM contact_phones WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    let Some((contact_id, raw, e164)) = row else {
        return Ok(None);
    };
    if !visible_to(db, user_id, contact_id).await? {
        return Ok(None);
    }
    Ok(Some(e164.unwrap_or(raw)))
}

/// What an incoming-call pop-up shows: the contact, and when they last
/// called or were called before call `current`.
pub async fn caller(
    db: &SqlitePool,
    id: i64,
    current: i64,
) -> sqlx::Result<Option<(Contact, Option<String>)>> {
    let mut select = QueryBuilder::<Sqlite>::new(CONTACT_COLUMNS);
    select.push(" WHERE c.id = ").push_bind(id);
    let row: Option<ContactRow> = select.build_query_as().fetch_optional(db).await?;
    let Some(row) = row else { return Ok(None) };
    let contact = with_phones(db, vec![row]).await?.remove(0);
    // Newest first along (contact_id, started_at): one index step, however
    // many calls the contact made.
    let last: Option<String> = sqlx::query_scalar(
        "SELECT started_at FROM call_records WHERE contact_id = $1 AND id <> $2
          ORDER BY started_at DESC LIMIT 1",
    )
    .bind(id)
    .bind(current)
    .fetch_optional(db)
    .await?;
    Ok(Some((contact, last)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_read_as_phone_or_text() {
        let ru: Region = "RU".parse().unwrap();
        assert_eq!(matcher(None, ru), Matcher::All);
        assert_eq!(matcher(Some("  "), ru), Matcher::All);
        assert_eq!(matcher(Some("Ivan"), ru), Matcher::Text("ivan".into()));
        assert_eq!(
            matcher(Some("8 (495) 123-45-67"), ru),
            Matcher::Phone(vec!["84951234567".into(), "74951234567".into()])
        );
        assert_eq!(
            matcher(Some("123-45"), ru),
            Matcher::Phone(vec!["12345".into()])
        );
    }

    #[test]
    fn like_wildcards_in_queries_are_literal() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }
}
