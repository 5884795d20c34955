//! The guarantee attestation (issue 32, part 2): the PDF a company downloads once it holds
//! its guarantee identifier, naming the company, the bank, the loan, the guaranteed share
//! and amount, the fee schedule, the identifier, the issue date and where to verify it.
//!
//! [`render`] is a pure function from an [`Attestation`] to PDF bytes: no I/O, no clock,
//! no randomness (the fonts are compiled in), so the same attestation always gives the
//! same file and the caller decides when and where it is stored or sent.
//!
//! What it guarantees:
//! - **Written by a maintained PDF library**, [krilla](https://docs.rs/krilla) (the one
//!   Typst exports with): no PDF syntax is written here.
//! - **Accessible and archivable.** The document is tagged (headings, paragraphs, a table
//!   with header cells and scope, the English block marked `en` inside a `fr` document,
//!   rules marked as artifacts), carries its title and language, and krilla validates it
//!   at export against **PDF/UA-1** and **PDF/A-2a**: a file that breaks a rule krilla can
//!   check (an untagged glyph, a missing title, a glyph without a Unicode mapping, a
//!   `.notdef` glyph…) is an [`AttestationError`], never a file.
//! - **Fonts embedded.** DejaVu Sans and DejaVu Sans Bold (`infra/assets/fonts/`, under
//!   the Bitstream Vera licence beside them, which allows embedding), subset by krilla to
//!   the glyphs used. Every glyph maps back to its text, so the text can be extracted,
//!   searched and read aloud, accents included (the tests extract it with `pdftotext`).
//!   A character the fonts lack (say, an ideogram in a legal name) is drawn as U+FFFD
//!   while the span's `ActualText` keeps the real text for extraction and screen readers.
//! - **French, with an English summary.** The scheme is French and the attestation is a
//!   French document; a short block "In English" at the end (tagged `en`) says what it is
//!   and how to verify it, for the English-speaking users the web app also serves.
//! - **Any length of text fits.** Paragraphs are wrapped to the measured width of their
//!   shaped text (a word longer than a line, such as a long address, is cut between
//!   characters), and content flows onto a new page when the page is full; every page
//!   carries a footer (an artifact) with the identifier and the page number.
//!
//! The amounts and lines are taken as computed: the fee schedule is the domain's
//! (`domain::rules::loan_terms`), passed in unchanged.

mod layout;
mod pdf;

use std::num::NonZeroU16;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use domain::company::{LegalName, Siren};
use domain::guarantee::GuaranteeIdentifier;
use domain::money::{BasisPoints, Cents};
use domain::rules::FeeYear;
use domain::submission::BankCode;
use krilla::tagging::{Tag, TagKind};
use krilla::text::{Font, GlyphId, KrillaGlyph};

/// What the attestation states. Every field is already valid (domain types) and the
/// amounts already computed; the renderer only lays them out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    pub identifier: GuaranteeIdentifier,
    /// The day the identifier was issued.
    pub issued_on: NaiveDate,
    pub company_name: LegalName,
    pub siren: Siren,
    pub bank_name: String,
    pub bank_code: BankCode,
    pub loan_amount: Cents,
    pub guarantee_share: BasisPoints,
    pub guaranteed_amount: Cents,
    /// The guarantee fee, year by year (`rules::LoanTerms::fee_schedule`).
    pub fee_schedule: Vec<FeeYear>,
    pub total_fee: Cents,
    /// Where a person with the identifier and the SIREN checks the guarantee.
    pub verification_url: String,
}

/// Where a person checks a guarantee identifier: the web app's public check page
/// (`/verifier`) under its base URL, printed on every attestation.
#[must_use]
pub fn verification_url(app_url: Option<&str>) -> String {
    format!(
        "{}/verifier",
        app_url.unwrap_or_default().trim_end_matches('/')
    )
}

impl Attestation {
    /// The attestation of `guarantee`, issued for `request` of the bank `bank_name`.
    #[must_use]
    pub fn of(
        guarantee: &domain::issuance::Guarantee,
        request: &domain::loan_request::LoanRequest,
        bank_name: String,
        verification_url: String,
    ) -> Self {
        let terms = &request.terms;
        Self {
            identifier: guarantee.identifier,
            issued_on: guarantee.issued_at.date_naive(),
            company_name: request.company.legal_name.clone(),
            siren: guarantee.siren.clone(),
            bank_name,
            bank_code: guarantee.bank.clone(),
            loan_amount: guarantee.amount,
            guarantee_share: terms.guarantee_share,
            guaranteed_amount: terms.guaranteed,
            fee_schedule: terms.fee_schedule.clone(),
            total_fee: terms.total_fee,
            verification_url,
        }
    }
}

impl Attestation {
    /// The attestation an outbox e-mail (`guarantee_issued`) carries, from its payload
    /// (written by the transaction: `persistence::guarantees`), the bank's name
    /// and the public check page.
    ///
    /// # Errors
    /// What is missing or invalid in the payload.
    pub fn from_payload(
        payload: &serde_json::Value,
        bank_name: String,
        verification_url: String,
    ) -> Result<Self, String> {
        let text = |key: &str| {
            payload
                .get(key)
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| format!("the payload has no {key}"))
        };
        let number = |value: &serde_json::Value, key: &str| {
            value
                .get(key)
                .and_then(serde_json::Value::as_i64)
                .ok_or_else(|| format!("the payload has no {key}"))
        };
        let cents = |key: &str| number(payload, key).map(Cents::new);
        let basis_points = |value: &serde_json::Value, key: &str| {
            number(value, key).and_then(|n| {
                u32::try_from(n)
                    .map(BasisPoints::new)
                    .map_err(|_| format!("{key} out of range"))
            })
        };
        let fee_schedule = payload
            .get("fee_schedule")
            .and_then(serde_json::Value::as_array)
            .ok_or("the payload has no fee_schedule")?
            .iter()
            .map(|year| {
                Ok(FeeYear {
                    year: u8::try_from(number(year, "year")?)
                        .map_err(|_| "year out of range".to_owned())?,
                    rate_bp: basis_points(year, "rate_bp")?,
                    outstanding: Cents::new(number(year, "outstanding_cents")?),
                    fee: Cents::new(number(year, "fee_cents")?),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Self {
            identifier: GuaranteeIdentifier::parse(text("identifier")?)
                .map_err(|e| e.to_string())?,
            issued_on: text("issued_on")?
                .parse()
                .map_err(|e| format!("issued_on: {e}"))?,
            company_name: LegalName::parse(text("legal_name")?)
                .map_err(|_| "legal_name is not a company name".to_owned())?,
            siren: text("siren")?
                .parse()
                .map_err(|_| "siren is not a SIREN".to_owned())?,
            bank_name,
            bank_code: BankCode::parse(text("bank_id")?)
                .map_err(|_| "bank_id is not a bank code".to_owned())?,
            loan_amount: cents("requested_amount_cents")?,
            guarantee_share: basis_points(payload, "guarantee_share_bp")?,
            guaranteed_amount: cents("guaranteed_cents")?,
            fee_schedule,
            total_fee: cents("total_fee_cents")?,
            verification_url,
        })
    }

    /// The file name an attestation is downloaded and attached as.
    #[must_use]
    pub fn filename(&self) -> String {
        format!("attestation-{}.pdf", self.identifier)
    }
}

/// The PDF could not be written: krilla refused it (in practice, a rule of PDF/UA-1 or
/// PDF/A-2a that the layout broke: a bug here, not a bad input).
#[derive(Debug, thiserror::Error)]
#[error("the attestation PDF could not be written: {0}")]
pub struct AttestationError(String);

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 50.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Body content stops above the footer.
const CONTENT_BOTTOM: f32 = PAGE_HEIGHT - MARGIN - 18.0;
const BODY: f32 = 10.5;
const HEADING: f32 = 13.0;
const TITLE: f32 = 19.0;
const IDENTIFIER: f32 = 17.0;
const FOOTER: f32 = 8.0;
const LINE_SPACING: f32 = 1.32;

const REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A font as krilla embeds it and as rustybuzz shapes with it, with rustybuzz's plan for
/// left-to-right Latin text made once (making it is most of the cost of shaping a line).
struct Face {
    font: Font,
    shaper: rustybuzz::Face<'static>,
    latin: rustybuzz::ShapePlan,
}

impl Face {
    fn load(data: &'static [u8]) -> Option<Self> {
        let shaper = rustybuzz::Face::from_slice(data, 0)?;
        let latin = rustybuzz::ShapePlan::new(
            &shaper,
            rustybuzz::Direction::LeftToRight,
            Some(rustybuzz::script::LATIN),
            None,
            &[],
        );
        Some(Self {
            font: Font::new(data.into(), 0)?,
            shaper,
            latin,
        })
    }
}

/// The two compiled-in faces, parsed once; `None` only if the committed files were not
/// fonts (a build mistake that the tests catch).
static FACES: LazyLock<Option<(Face, Face)>> =
    LazyLock::new(|| Some((Face::load(REGULAR_TTF)?, Face::load(BOLD_TTF)?)));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weight {
    Regular,
    Bold,
}

/// A line of text shaped with one face: its glyphs (advances in em), the text they map
/// back to, and the real text when some characters had to be replaced.
struct Shaped {
    text: String,
    glyphs: Vec<KrillaGlyph>,
    width_em: f32,
    actual_text: Option<String>,
}

fn shape(face: &Face, text: &str) -> Shaped {
    // A character the face has no glyph for would be drawn as `.notdef`, which PDF/UA
    // forbids: draw U+FFFD (which DejaVu has) and keep the real text as ActualText.
    let drawn: String = text
        .chars()
        .map(|c| {
            if face.shaper.glyph_index(c).is_some() || c == ' ' {
                c
            } else {
                '\u{FFFD}'
            }
        })
        .collect();
    let actual_text = (drawn != text).then(|| text.to_owned());
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(&drawn);
    buffer.guess_segment_properties();
    buffer.set_direction(rustybuzz::Direction::LeftToRight);
    let script = buffer.script();
    let output = if [
        rustybuzz::script::LATIN,
        rustybuzz::script::COMMON,
        rustybuzz::script::UNKNOWN,
    ]
    .contains(&script)
    {
        // Digits and punctuation alone are shaped as Latin.
        buffer.set_script(rustybuzz::script::LATIN);
        rustybuzz::shape_with_plan(&face.shaper, &face.latin, buffer)
    } else {
        rustybuzz::shape(&face.shaper, &[], buffer)
    };
    let units = face.font.units_per_em();
    let infos = output.glyph_infos();
    let positions = output.glyph_positions();
    let mut glyphs = Vec::with_capacity(infos.len());
    let mut width_em = 0.0;
    for (i, (info, position)) in infos.iter().zip(positions).enumerate() {
        let start = info.cluster as usize;
        // Left to right: the cluster ends where the next different cluster starts.
        let end = infos[i + 1..]
            .iter()
            .map(|next| next.cluster as usize)
            .find(|next| *next != start)
            .unwrap_or(drawn.len());
        #[expect(clippy::cast_precision_loss, reason = "font units are small integers")]
        let (x_advance, x_offset, y_offset, y_advance) = (
            position.x_advance as f32 / units,
            position.x_offset as f32 / units,
            position.y_offset as f32 / units,
            position.y_advance as f32 / units,
        );
        width_em += x_advance;
        glyphs.push(KrillaGlyph::new(
            GlyphId::new(info.glyph_id),
            x_advance,
            x_offset,
            y_offset,
            y_advance,
            start..end,
            None,
        ));
    }
    Shaped {
        text: drawn,
        glyphs,
        width_em,
        actual_text,
    }
}

/// Greedy line breaking at spaces to `max_width` points; a word wider than a line is cut
/// between characters. Each word is shaped once and a line's width is the sum of its
/// words' and spaces' (kerning across a space is nil in DejaVu), with half a point to
/// spare.
fn wrap(face: &Face, text: &str, size: f32, max_width: f32) -> Vec<String> {
    let max_em = (max_width - 0.5) / size;
    let width = |s: &str| shape(face, s).width_em;
    let space = width(" ");
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_em = 0.0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word_em = width(word);
        if !line.is_empty() && line_em + space + word_em <= max_em {
            line.push(' ');
            line.push_str(word);
            line_em += space + word_em;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if word_em <= max_em {
            line = word.to_owned();
            line_em = word_em;
            continue;
        }
        // Too long for any line: cut it, measuring prefixes by bisection.
        let mut rest = word;
        while !rest.is_empty() {
            let ends: Vec<usize> = rest.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
            let fitting = ends.partition_point(|end| width(&rest[..*end]) <= max_em);
            let end = ends[fitting.max(1) - 1];
            let (head, tail) = rest.split_at(end);
            if tail.is_empty() {
                line = head.to_owned();
                line_em = width(head);
            } else {
                lines.push(head.to_owned());
            }
            rest = tail;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Something drawn on a page, in points from the page's top left corner.
enum Draw {
    /// One line of real content, leaf `leaf` of the tag tree.
    Text {
        weight: Weight,
        size: f32,
        x: f32,
        baseline: f32,
        shaped: Shaped,
        leaf: usize,
    },
    /// A horizontal rule (layout artifact).
    Rule { x: f32, y: f32, width: f32 },
    /// The footer line (pagination artifact), completed with the page count at the end.
    Footer { page: usize },
}

/// The tag tree as laid out, with leaves to be replaced by krilla's identifiers.
enum TagNode {
    Group(TagKind, Vec<TagNode>),
    Leaf(usize),
}

struct Layout<'f> {
    faces: &'f (Face, Face),
    pages: Vec<Vec<Draw>>,
    /// Top of the next line on the current page.
    y: f32,
    leaves: usize,
    root: Vec<TagNode>,
    /// The headings for the document outline (bookmarks): text, page, top.
    outline: Vec<(String, usize, f32)>,
}

fn heading(level: u16, title: &str) -> TagKind {
    Tag::Hn(
        NonZeroU16::new(level).unwrap_or(NonZeroU16::MIN),
        Some(title.to_owned()),
    )
    .into()
}

/// `50 000,00 €`, as in the e-mails.
fn euros(amount: Cents) -> String {
    crate::mail::euros(amount.get())
}

/// `90,00 %`, `0,25 %`.
fn percent(rate: BasisPoints) -> String {
    format!("{},{:02}\u{A0}%", rate.get() / 100, rate.get() % 100)
}

/// `6 décembre 2026`, `1er mars 2026`.
fn date_fr(date: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let day = match date.day() {
        1 => "1er".to_owned(),
        d => d.to_string(),
    };
    let month = MONTHS[usize::try_from(date.month0()).unwrap_or(0) % 12];
    format!("{day} {month} {}", date.year())
}

/// The attestation as PDF bytes.
///
/// # Errors
/// [`AttestationError`] when krilla refuses the document (a PDF/UA-1 or PDF/A-2a rule
/// broken by the layout) or the compiled-in fonts do not parse.
pub fn render(attestation: &Attestation) -> Result<Vec<u8>, AttestationError> {
    let faces = FACES
        .as_ref()
        .ok_or_else(|| AttestationError("the compiled-in fonts do not parse".to_owned()))?;
    let a = attestation;
    let identifier = a.identifier.to_string();
    let mut layout = Layout::new(faces);

    layout.block(
        heading(1, "Attestation de garantie de l’État"),
        Weight::Bold,
        TITLE,
        "Attestation de garantie de l’État",
        0.0,
    );
    layout.block(
        Tag::P.into(),
        Weight::Regular,
        HEADING,
        "Prêt garanti par l’État (PGE)",
        6.0,
    );
    layout.rule();
    layout.paragraph(
        "La plateforme PGE atteste avoir délivré l’identifiant unique ci-dessous pour le prêt \
         décrit dans cette attestation, après l’accord de principe de la banque. La garantie \
         de l’État s’applique au prêt lorsque la banque l’accorde, après avoir fait confirmer \
         par la plateforme que l’identifiant correspond à l’entreprise, à la banque et au \
         montant.",
    );

    layout.heading("Identifiant unique de la garantie");
    layout.block(Tag::P.into(), Weight::Bold, IDENTIFIER, &identifier, 0.0);
    layout.paragraph(&format!("Délivré le {}", date_fr(a.issued_on)));

    layout.heading("Entreprise");
    layout.paragraph(&format!("Raison sociale : {}", a.company_name.as_str()));
    layout.paragraph(&format!("SIREN : {}", a.siren.as_str()));

    layout.heading("Banque");
    layout.paragraph(&format!("Établissement : {}", a.bank_name));
    layout.paragraph(&format!("Code banque : {}", a.bank_code.as_str()));

    layout.heading("Prêt et garantie");
    layout.paragraph(&format!("Montant du prêt : {}", euros(a.loan_amount)));
    layout.paragraph(&format!(
        "Quotité garantie par l’État : {}",
        percent(a.guarantee_share)
    ));
    layout.paragraph(&format!("Montant garanti : {}", euros(a.guaranteed_amount)));

    layout.heading("Commission de garantie");
    layout.paragraph(
        "Due chaque année sur la part garantie du capital restant dû au début de l’année, \
         au taux de l’année :",
    );
    layout.fee_table(&a.fee_schedule, a.total_fee);

    layout.heading("Vérification");
    layout.paragraph(
        "Toute personne disposant de l’identifiant et du numéro SIREN peut vérifier que \
         cette garantie est valide à l’adresse suivante :",
    );
    layout.paragraph(&a.verification_url);

    layout.in_language("en", |layout| {
        layout.heading("In English");
        layout.paragraph(
            "State guarantee certificate. The PGE platform issued the unique identifier above \
             for the loan described in this certificate, after the bank's agreement in \
             principle. The State guarantee applies to the loan once the bank grants it, \
             having had the platform confirm that the identifier matches the company, the \
             bank and the amount. Anyone with the identifier and the SIREN can check that \
             the guarantee is valid at the address above.",
        );
    });

    pdf::write_pdf(layout, a, &identifier)
}

#[cfg(test)]
#[expect(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sample() -> Attestation {
        let company = domain::company::Company::parse(
            domain::company::RawCompany {
                siren: "732829320".into(),
                siret: None,
                legal_name: "Boulangerie Pâtissière Élégante & Fils — Société à responsabilité \
                             limitée"
                    .into(),
                legal_form: "SARL".into(),
                creation_date: NaiveDate::from_ymd_opt(2012, 5, 4).unwrap(),
                headcount: 12,
                revenue_cents: 100_000_000,
                payroll_cents: Some(40_000_000),
                balance_sheet_cents: None,
                innovative: false,
                collective_proceedings: false,
            },
            "company",
        )
        .unwrap();
        let amortization = domain::rules::AmortizationYears::new(4).unwrap();
        let amount = Cents::euros(50_000);
        let terms = domain::rules::loan_terms(&company, amount, amortization);
        Attestation {
            identifier: GuaranteeIdentifier::from_value(0x0ABC_DEF0_1234_5678).unwrap(),
            issued_on: NaiveDate::from_ymd_opt(2020, 3, 25).unwrap(),
            company_name: company.legal_name,
            siren: company.siren,
            bank_name: "Crédit Agricole d’Île-de-France".to_owned(),
            bank_code: BankCode::parse("18206").unwrap(),
            loan_amount: amount,
            guarantee_share: terms.guarantee_share,
            guaranteed_amount: terms.guaranteed,
            fee_schedule: terms.fee_schedule,
            total_fee: terms.total_fee,
            verification_url: "https://pge.example.gouv.fr/verifier-une-garantie".to_owned(),
        }
    }

    /// What a poppler tool (Debian package poppler-utils) prints about a PDF: `pdftotext`
    /// for its text in reading order, `pdfinfo -struct-text` for its tag tree. `None`
    /// when poppler is not installed and the run does not require it
    /// (`PGE_TEST_REQUIRE_PDFTOTEXT`, set by scripts/test.sh, which installs it).
    fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> Option<String> {
        static FILES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = FILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("pge-attestation-{}-{n}.pdf", std::process::id()));
        std::fs::write(&path, pdf).unwrap();
        let output = std::process::Command::new(tool)
            .args(args)
            .arg(&path)
            .args(if tool == "pdftotext" {
                &["-"][..]
            } else {
                &[][..]
            })
            .output();
        let _ = std::fs::remove_file(&path);
        match output {
            Ok(output) => {
                assert!(
                    output.status.success(),
                    "{tool}: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
                // pdfinfo prints UTF-16 heading titles as raw bytes: only the text matters.
                Some(String::from_utf8_lossy(&output.stdout).into_owned())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                assert!(
                    std::env::var_os("PGE_TEST_REQUIRE_PDFTOTEXT").is_none(),
                    "{tool} is required (Debian package poppler-utils) but not installed"
                );
                eprintln!("SKIPPED: {tool} is not installed (Debian package poppler-utils)");
                None
            }
            Err(e) => panic!("{tool}: {e}"),
        }
    }

    fn pdftotext(pdf: &[u8]) -> Option<String> {
        poppler("pdftotext", &["-enc", "UTF-8"], pdf)
    }

    /// Spaces as pdftotext may render them (the no-break and thin spaces included) are
    /// made plain, so that assertions say what a reader sees.
    fn plain(text: &str) -> String {
        text.replace('\u{A0}', " ")
    }

    #[test]
    fn every_field_is_in_the_extracted_text_accents_included() {
        let attestation = sample();
        let pdf = render(&attestation).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.7"), "{:?}", &pdf[..8]);
        let Some(text) = pdftotext(&pdf) else { return };
        let text = plain(&text);
        let expected = [
            "Attestation de garantie de l’État",
            "Prêt garanti par l’État (PGE)",
            "PGE-NF6Y-Y093-8NKR-E",
            "Délivré le 25 mars 2020",
            "Raison sociale : Boulangerie Pâtissière Élégante & Fils — Société à responsabilité \
             limitée",
            "SIREN : 732829320",
            "Établissement : Crédit Agricole d’Île-de-France",
            "Code banque : 18206",
            "Montant du prêt : 50 000,00 €",
            "Quotité garantie par l’État : 90,00 %",
            "Montant garanti : 45 000,00 €",
            "Année",
            "Capital restant dû",
            "Taux",
            "Commission",
            "https://pge.example.gouv.fr/verifier-une-garantie",
            "In English",
            "State guarantee certificate.",
        ];
        for needle in expected {
            assert!(text.contains(needle), "{needle:?} not in:\n{text}");
        }
        assert!(text.contains(&attestation.identifier.to_string()), "{text}");
        // The fee schedule, year by year, then its total.
        for line in &attestation.fee_schedule {
            for cell in [
                line.year.to_string(),
                plain(&euros(line.outstanding)),
                plain(&percent(line.rate_bp)),
                plain(&euros(line.fee)),
            ] {
                assert!(text.contains(&cell), "{cell:?} not in:\n{text}");
            }
        }
        assert!(text.contains("Total"));
        assert!(
            text.contains(&plain(&euros(attestation.total_fee))),
            "{text}"
        );
        assert!(text.contains("page 1 / 1"), "{text}");
    }

    #[test]
    fn fonts_are_embedded_and_subset_and_the_document_is_tagged() {
        let pdf = render(&sample()).unwrap();
        let raw = String::from_utf8_lossy(&pdf);
        // Subset fonts are named with a six-letter tag, `ABCDEF+DejaVuSans`.
        assert!(raw.contains("+DejaVuSans-Bold"), "no embedded bold face");
        assert!(raw.contains("+DejaVuSans"), "no embedded regular face");
        assert!(
            raw.contains("/FontFile2"),
            "TrueType font program not embedded"
        );
        assert!(raw.contains("/StructTreeRoot"), "not tagged");
        assert!(raw.contains("/Marked true"), "not marked as tagged");
        assert!(raw.contains("pdfuaid:part"), "no PDF/UA identification");
        assert!(raw.contains("pdfaid:part"), "no PDF/A identification");
        // Subsetting: far smaller than the two font files (1.4 MB).
        assert!(pdf.len() < 120_000, "{} bytes", pdf.len());
    }

    #[test]
    fn long_names_wrap_and_overflow_onto_a_second_page() {
        let mut attestation = sample();
        attestation.company_name =
            LegalName::parse(&"Société Nouvelle des Établissements ".repeat(5)).unwrap();
        attestation.bank_name = "Banque Populaire Auvergne Rhône Alpes "
            .repeat(5)
            .trim()
            .to_owned();
        attestation.verification_url = format!("https://pge.example.gouv.fr/{}", "v".repeat(150));
        let pdf = render(&attestation).unwrap();
        let Some(text) = pdftotext(&pdf) else { return };
        let text = plain(&text);
        assert!(
            text.contains("page 1 / 2") && text.contains("page 2 / 2"),
            "{text}"
        );
        // Wrapped lines lose no word.
        let words: Vec<&str> = text.split_whitespace().collect();
        let joined = words.join(" ");
        assert!(
            joined.contains(
                &plain(attestation.company_name.as_str())
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            "{joined}"
        );
        assert!(joined.contains("In English"));
    }

    #[test]
    fn unsupported_characters_stay_in_the_extracted_text() {
        let mut attestation = sample();
        attestation.company_name = LegalName::parse("Tōkyō Boulangerie 東京").unwrap();
        let pdf = render(&attestation).unwrap();
        let Some(text) = pdftotext(&pdf) else { return };
        // DejaVu has no ideograms: they are drawn as U+FFFD, and extracted as written.
        assert!(text.contains("Tōkyō Boulangerie 東京"), "{text}");
    }

    #[test]
    fn the_tag_tree_has_the_headings_paragraphs_and_table_in_reading_order() {
        let pdf = render(&sample()).unwrap();
        let Some(tree) = poppler("pdfinfo", &["-struct-text"], &pdf) else {
            return;
        };
        let at = |needle: &str| {
            tree.find(needle)
                .unwrap_or_else(|| panic!("{needle:?} not in:\n{tree}"))
        };
        let order = [
            at("H1"),
            at("\"Attestation de garantie de l’État\""),
            at("H2"),
            at("\"PGE-NF6Y-Y093-8NKR-E\""),
            at("\"SIREN : 732829320\""),
            at("Table"),
            at("THead"),
            at("TH"),
            at("/Scope /Column"),
            at("\"Capital restant dû\""),
            at("TBody"),
            at("TFoot"),
            at("\"Total\""),
            at("\"https://pge.example.gouv.fr/verifier-une-garantie\""),
            at("Part"),
            at("\"In English\""),
        ];
        assert!(order.is_sorted(), "out of reading order:\n{tree}");
        // Rules and the footer are artifacts, outside the tree.
        assert!(!tree.contains("page 1 / 1"), "{tree}");
    }

    #[test]
    fn rendering_is_deterministic_and_its_time_is_reported() {
        let attestation = sample();
        let first = render(&attestation).unwrap();
        // To look at it: PGE_ATTESTATION_SAMPLE=/tmp/sample.pdf cargo nextest run …
        if let Some(path) = std::env::var_os("PGE_ATTESTATION_SAMPLE") {
            std::fs::write(path, &first).unwrap();
        }
        let runs = 20u32;
        let started = std::time::Instant::now();
        for _ in 0..runs {
            assert_eq!(render(&attestation).unwrap(), first);
        }
        let each = started.elapsed() / runs;
        eprintln!(
            "attestation render: {:.2} ms per document ({} bytes; {} build)",
            each.as_secs_f64() * 1e3,
            first.len(),
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
        );
    }

    #[test]
    fn french_number_and_date_formats() {
        assert_eq!(euros(Cents::new(5_000_000)), "50\u{A0}000,00\u{A0}€");
        assert_eq!(percent(BasisPoints::new(9_000)), "90,00\u{A0}%");
        assert_eq!(percent(BasisPoints::new(25)), "0,25\u{A0}%");
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(date_fr(d(2026, 12, 6)), "6 décembre 2026");
        assert_eq!(date_fr(d(2020, 3, 1)), "1er mars 2020");
        assert_eq!(date_fr(d(2020, 8, 15)), "15 août 2020");
    }

    #[test]
    fn the_fonts_parse_and_have_the_characters_used() {
        let (regular, bold) = FACES.as_ref().unwrap();
        for face in [regular, bold] {
            for c in "éèêëàâçîïôûùÉÈÀÇŒœ’€\u{A0}·%\u{FFFD}".chars() {
                assert!(face.shaper.glyph_index(c).is_some(), "{c:?}");
            }
        }
    }

    #[test]
    fn wrapping_keeps_every_word_and_fits_the_width() {
        let (regular, _) = FACES.as_ref().unwrap();
        let text = "Société coopérative ouvrière de production des boulangers réunis \
                    de la vallée de l’Yerres et des communes avoisinantes";
        let lines = wrap(regular, text, BODY, 200.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.join(" "), text);
        for line in &lines {
            assert!(shape(regular, line).width_em * BODY <= 200.0, "{line}");
        }
        // A word longer than the line is cut between characters, nothing lost.
        let long = "https://verification.example/garanties/".repeat(4);
        let lines = wrap(regular, &long, BODY, 150.0);
        assert!(lines.len() > 2);
        assert_eq!(lines.concat(), long);
    }

    #[test]
    fn missing_glyphs_are_replaced_and_keep_their_text() {
        let (regular, _) = FACES.as_ref().unwrap();
        let shaped = shape(regular, "Boulangerie 東京");
        assert_eq!(shaped.text, "Boulangerie \u{FFFD}\u{FFFD}");
        assert_eq!(shaped.actual_text.as_deref(), Some("Boulangerie 東京"));
        assert!(shaped.glyphs.iter().all(|g| g.glyph_id.to_u32() != 0));
        assert_eq!(shape(regular, "Café").actual_text, None);
    }
}
