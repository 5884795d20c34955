//! From the laid-out pages to a PDF: krilla's document, its tags, outline and metadata,
//! validated at export.

use chrono::Datelike;
use krilla::color::rgb;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, Node, SpanTag, TagGroup, TagTree,
};
use krilla::{Document, SerializeSettings};

use super::*;

pub(super) fn write_pdf(
    layout: Layout<'_>,
    a: &Attestation,
    identifier: &str,
) -> Result<Vec<u8>, AttestationError> {
    let failed = |what: &str| AttestationError(what.to_owned());
    let configuration = ConfigurationBuilder::new()
        .with_accessibility_validator(Accessibility::UA1)
        .with_archival_validator(Archival::A2_A)
        .finish()
        .map_err(|e| AttestationError(format!("{e:?}")))?;
    let mut document = Document::new_with(SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    });
    let title = format!("Attestation de garantie de l’État {identifier}");
    let issued = DateTime::new(u16::try_from(a.issued_on.year()).unwrap_or(0))
        .month(u8::try_from(a.issued_on.month()).unwrap_or(1))
        .day(u8::try_from(a.issued_on.day()).unwrap_or(1));
    document.set_metadata(
        Metadata::new()
            .title(title)
            .language("fr".to_owned())
            .creator("pge".to_owned())
            .creation_date(issued),
    );

    let Layout {
        faces,
        pages,
        leaves,
        root,
        outline,
        ..
    } = layout;
    // PDF/UA-1 wants an outline: one entry per section.
    let mut bookmarks = Outline::new();
    for (text, page, top) in outline {
        bookmarks.push_child(OutlineNode::new(
            text,
            XyzDestination::new(page, Point::from_xy(MARGIN, top)),
        ));
    }
    document.set_outline(bookmarks);
    let page_count = pages.len();
    let mut identifiers: Vec<Option<Identifier>> = (0..leaves).map(|_| None).collect();
    let black = Fill::default();
    let grey = Fill {
        paint: rgb::Color::new(110, 110, 110).into(),
        opacity: NormalizedF32::ONE,
        rule: krilla::paint::FillRule::default(),
    };
    for draws in pages {
        let settings =
            PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or_else(|| failed("page size"))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for draw in draws {
            match draw {
                Draw::Text {
                    weight,
                    size,
                    x,
                    baseline,
                    shaped,
                    leaf,
                } => {
                    let face = match weight {
                        Weight::Regular => &faces.0,
                        Weight::Bold => &faces.1,
                    };
                    let id = surface.start_tagged(ContentTag::Span(
                        SpanTag::empty().with_actual_text(shaped.actual_text.as_deref()),
                    ));
                    surface.set_fill(Some(black.clone()));
                    surface.draw_glyphs(
                        Point::from_xy(x, baseline),
                        &shaped.glyphs,
                        face.font.clone(),
                        &shaped.text,
                        size,
                        false,
                    );
                    surface.end_tagged();
                    if let Some(slot) = identifiers.get_mut(leaf) {
                        *slot = Some(id);
                    }
                }
                Draw::Rule { x, y, width } => {
                    let mut path = PathBuilder::new();
                    path.push_rect(
                        Rect::from_xywh(x, y, width, 0.6).ok_or_else(|| failed("rule size"))?,
                    );
                    let path = path.finish().ok_or_else(|| failed("rule path"))?;
                    surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(
                        ArtifactType::Layout,
                    )));
                    surface.set_fill(Some(grey.clone()));
                    surface.draw_path(&path);
                    surface.end_tagged();
                }
                Draw::Footer { page } => {
                    let text = format!(
                        "Attestation {identifier} · page {} / {page_count}",
                        page + 1
                    );
                    let shaped = shape(&faces.0, &text);
                    surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(
                        ArtifactType::PageNumber,
                    )));
                    surface.set_fill(Some(grey.clone()));
                    surface.draw_glyphs(
                        Point::from_xy(
                            PAGE_WIDTH - MARGIN - shaped.width_em * FOOTER,
                            PAGE_HEIGHT - MARGIN + FOOTER,
                        ),
                        &shaped.glyphs,
                        faces.0.font.clone(),
                        &shaped.text,
                        FOOTER,
                        false,
                    );
                    surface.end_tagged();
                }
            }
        }
        surface.finish();
        page.finish();
    }

    let mut tree = TagTree::new().with_lang(Some("fr".to_owned()));
    for node in root {
        if let Some(node) = to_krilla(node, &mut identifiers) {
            tree.push(node);
        }
    }
    document.set_tag_tree(tree);
    document
        .finish()
        .map_err(|e| AttestationError(format!("{e:?}")))
}

/// The laid-out tag tree with krilla's identifiers in its leaves; empty groups (an empty
/// table cell) are kept, krilla drops them.
fn to_krilla(node: TagNode, identifiers: &mut [Option<Identifier>]) -> Option<Node> {
    match node {
        TagNode::Leaf(leaf) => identifiers.get_mut(leaf)?.take().map(Node::from),
        TagNode::Group(kind, children) => Some(
            TagGroup::with_children(
                kind,
                children
                    .into_iter()
                    .filter_map(|child| to_krilla(child, identifiers))
                    .collect(),
            )
            .into(),
        ),
    }
}
