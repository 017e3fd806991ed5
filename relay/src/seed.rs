//! Demo data for a first look: an admin, two managers, about fifty contacts with
//! phones written the many ways people write them, and a few deals. Only ever
//! written into an empty database.

use callcard_shared::phone::Region;
use sqlx::SqlitePool;

use crate::crm::contacts::{self, NewContact};
use crate::crm::users;
use crate::time::{now_rfc3339, rfc3339_ago};

pub const DEMO_PASSWORD: &str = "demo";
pub const DEMO_LOGINS: [(&str, &str); 3] = [
    ("admin", "administrator"),
    ("anna", "manager"),
    ("boris", "manager"),
];

const PEOPLE: [(&str, &str); 24] = [
    ("Ivan Petrov", "Stroymontazh"),
    ("Мария Иванова", "ООО Ромашка"),
    ("Piotr Kowalski", "Kowalski i Synowie"),
    ("Jennifer Lee", "Bayview Logistics"),
    ("Sergey Smirnov", "Smirnov Trading"),
    ("Olga Kuznetsova", "Nordlight"),
    ("Agnieszka Nowak", "Nowak Design"),
    ("Michael Brown", "Golden Gate Foods"),
    ("Дмитрий Соколов", "Сокол-Авто"),
    ("Elena Popova", "Popova Consulting"),
    ("Tomasz Wiśniewski", "Vistula Freight"),
    ("Sarah Johnson", "Mission Software"),
    ("Alexey Volkov", "Volkov & Partners"),
    ("Natalia Morozova", "Morozko Dairy"),
    ("Katarzyna Wójcik", "Baltic Amber"),
    ("David Miller", "Presidio Health"),
    ("Андрей Лебедев", "ЛебедевСтрой"),
    ("Irina Kozlova", "Kozlova Media"),
    ("Marek Kamiński", "Tatra Tools"),
    ("Emily Davis", "Sunset Realty"),
    ("Nikolai Novikov", "Novikov Metals"),
    ("Svetlana Fedorova", "Fedorova Textiles"),
    ("Paweł Lewandowski", "Lewandowski IT"),
    ("Robert Wilson", "Embarcadero Wines"),
];

const STATUSES: [&str; 4] = ["lead", "client", "client", "inactive"];

/// The n-th demo phone, in one of the formats real people type.
fn demo_phone(n: usize) -> String {
    let a = 100 + (n * 37) % 900;
    let b = 10 + (n * 53) % 90;
    let c = 10 + (n * 71) % 90;
    match n % 7 {
        0 => format!("+7 495 {a}-{b}-{c}"),
        1 => format!("8 (916) {a} {b} {c}"),
        2 => format!("+48 22 {a} {b} {c}"),
        3 => format!("+1 (415) 555-{:04}", 100 + n % 100),
        4 => format!("8-903-{a}-{b}-{c}"),
        5 => format!("+44 20 7946 0{:03}", n % 1000),
        _ => format!("+7 (812) {a}-{b}{c}"),
    }
}

/// Seeds the demo data when the database has no users yet; returns whether it did.
pub async fn seed_if_empty(db: &SqlitePool, region: Region) -> anyhow::Result<bool> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await?;
    if count > 0 {
        return Ok(false);
    }
    let admin = users::create(db, "admin", DEMO_PASSWORD, "Alice Admin", "admin").await?;
    let anna = users::create(db, "anna", DEMO_PASSWORD, "Anna Sokolova", "manager").await?;
    let boris = users::create(db, "boris", DEMO_PASSWORD, "Boris Orlov", "manager").await?;
    let managers = [anna, boris];

    let mut tx = db.begin().await?;
    // A fixed, easy-to-remember first contact for trying the search.
    let first = NewContact {
        name: "Ivan Petrov",
        company: Some("Stroymontazh"),
        status: "client",
        email: Some("ivan.petrov@stroymontazh.example"),
        responsible_id: Some(anna),
        notes: Some("Buys scaffolding every spring. Prefers calls after 11:00."),
        phones: vec!["+7 495 123-45-67", "8 (916) 123 45 67"],
    };
    let ivan = contacts::create(&mut tx, &first, region).await?;
    let mut ids = vec![ivan];
    for n in 1..50 {
        let (person, company) = PEOPLE[n % PEOPLE.len()];
        let name = if n < PEOPLE.len() {
            person.to_string()
        } else {
            format!("{person} Jr.")
        };
        let domain: String = company
            .to_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let domain = if domain.len() < 3 {
            "mail".into()
        } else {
            domain
        };
        let email = format!("contact{n}@{domain}.example");
        let first_phone = demo_phone(n);
        let second_phone = demo_phone(n + 50);
        let mut phones = vec![first_phone.as_str()];
        if n % 4 == 0 {
            phones.push(second_phone.as_str());
        }
        let contact = NewContact {
            name: &name,
            company: Some(company),
            status: STATUSES[n % STATUSES.len()],
            email: Some(&email),
            responsible_id: Some(managers[n % 2]),
            notes: None,
            phones,
        };
        ids.push(contacts::create(&mut tx, &contact, region).await?);
    }

    let deals = [
        (
            0,
            "Scaffolding, spring order",
            125_000_000_i64,
            "RUB",
            "negotiation",
            anna,
            None,
        ),
        (
            0,
            "Winter maintenance",
            34_000_000,
            "RUB",
            "won",
            anna,
            Some(30),
        ),
        (
            2,
            "Warehouse shelving",
            8_500_000,
            "PLN",
            "proposal",
            boris,
            None,
        ),
        (3, "Cold-chain pilot", 4_200_000, "USD", "new", anna, None),
        (
            5,
            "Lighting retrofit",
            61_000_000,
            "RUB",
            "lost",
            boris,
            Some(12),
        ),
        (
            7,
            "Catering contract",
            1_850_000,
            "USD",
            "won",
            boris,
            Some(3),
        ),
    ];
    for (contact, title, amount, currency, stage, owner, closed_days_ago) in deals {
        let created = rfc3339_ago(std::time::Duration::from_secs(86_400 * 45));
        let closed =
            closed_days_ago.map(|d: u64| rfc3339_ago(std::time::Duration::from_secs(86_400 * d)));
        sqlx::query(
            "INSERT INTO deals (contact_id, title, amount_minor, currency, stage, owner_id, created_at, closed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(ids[contact])
        .bind(title)
        .bind(amount)
        .bind(currency)
        .bind(stage)
        .bind(owner)
        .bind(created)
        .bind(closed)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO notes (contact_id, author_id, body, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(ivan)
    .bind(admin)
    .bind("Met at the Moscow build expo; wants a quote by Friday.")
    .bind(now_rfc3339())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_phones_cover_several_countries_and_all_read_as_numbers() {
        let ru: Region = "RU".parse().unwrap();
        let mut countries = std::collections::BTreeSet::new();
        for n in 0..100 {
            let e164 = callcard_shared::phone::to_e164(&demo_phone(n), ru)
                .unwrap_or_else(|e| panic!("{}: {e}", demo_phone(n)));
            countries.insert(e164[..3].to_string());
        }
        assert!(countries.len() >= 4, "{countries:?}");
    }
}
