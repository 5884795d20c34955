//! Test data: random eligible companies with Luhn-valid identifiers.

use super::*;

pub(crate) const LEGAL_FORMS: [&str; 10] = [
    "SA",
    "SAS",
    "SASU",
    "SARL",
    "EURL",
    "SNC",
    "EI",
    "MICRO",
    "ASSOCIATION",
    "OTHER",
];

/// A Luhn-valid SIREN and a Luhn-valid SIRET of it (never La Poste's SIREN, whose SIRETs
/// follow another rule).
pub(crate) fn random_siren_siret(rng: &mut impl Rng) -> (String, String) {
    // Consecutive numbers from a random start: no two submissions of a run share a
    // company (a shared one could exceed its cap and be refused, rightly).
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let start = *START.get_or_init(|| rand::thread_rng().gen_range(0..100_000_000));
    loop {
        let body = (start + NEXT.fetch_add(1, Ordering::Relaxed)) % 100_000_000;
        let siren = luhn_complete(&format!("{body:08}"));
        if siren == "356000000" {
            continue;
        }
        let siret = luhn_complete(&format!("{siren}{:04}", rng.gen_range(0..10_000_u32)));
        return (siren, siret);
    }
}

/// An eligible company created before 2019 and not innovative, so its cap is exactly 25%
/// of its revenue; and an amount between €1,000 and half that cap (even a company drawn
/// twice across runs stays within its cap).
pub(crate) fn random_submission(rng: &mut impl Rng) -> (Value, i64, i64) {
    let (siren, siret) = random_siren_siret(rng);
    let revenue_cents: i64 = rng.gen_range(20_000_000..5_000_000_000);
    let cap = revenue_cents / 4;
    let amount = rng.gen_range(100_000..=cap / 2);
    let years: i64 = rng.gen_range(0..=5);
    let company = json!({
        "siren": siren,
        "siret": siret,
        "legal_name": format!("Entreprise de charge {siren}"),
        "legal_form": LEGAL_FORMS[rng.gen_range(0..LEGAL_FORMS.len())],
        "creation_date": format!(
            "{}-{:02}-{:02}",
            rng.gen_range(1990..=2018),
            rng.gen_range(1..=12),
            rng.gen_range(1..=28)
        ),
        "headcount": rng.gen_range(1..250),
        "revenue_cents": revenue_cents,
        "payroll_cents": revenue_cents / 3,
        "balance_sheet_cents": null,
        "innovative": false,
        "collective_proceedings": false,
    });
    (company, amount, years)
}
