//! The attestation's layout: lines placed on pages as they are measured, the tag tree
//! and the outline built alongside.

use domain::money::Cents;
use domain::rules::FeeYear;
use krilla::tagging::{TableHeaderScope, Tag, TagKind};

use super::*;

impl<'f> Layout<'f> {
    pub(super) fn new(faces: &'f (Face, Face)) -> Self {
        Self {
            faces,
            pages: vec![vec![Draw::Footer { page: 0 }]],
            y: MARGIN,
            leaves: 0,
            root: Vec::new(),
            outline: Vec::new(),
        }
    }

    pub(super) fn face(&self, weight: Weight) -> &'f Face {
        match weight {
            Weight::Regular => &self.faces.0,
            Weight::Bold => &self.faces.1,
        }
    }

    /// Room for `height` points on the current page, or a new page.
    pub(super) fn reserve(&mut self, height: f32) {
        if self.y + height > CONTENT_BOTTOM && self.y > MARGIN {
            let page = self.pages.len();
            self.pages.push(vec![Draw::Footer { page }]);
            self.y = MARGIN;
        }
    }

    pub(super) fn push(&mut self, draw: Draw) {
        if let Some(page) = self.pages.last_mut() {
            page.push(draw);
        }
    }

    /// One line at `x` (or right-aligned to `x` when `right`), on the current line's
    /// baseline, without moving down; its leaf number.
    pub(super) fn text_at(
        &mut self,
        weight: Weight,
        size: f32,
        x: f32,
        right: bool,
        text: &str,
    ) -> usize {
        let shaped = shape(self.face(weight), text);
        let x = if right { x - shaped.width_em * size } else { x };
        let leaf = self.leaves;
        self.leaves += 1;
        let baseline = self.y + size;
        self.push(Draw::Text {
            weight,
            size,
            x,
            baseline,
            shaped,
            leaf,
        });
        leaf
    }

    /// A wrapped block of text as one tag group of `kind`, then `space_after` points.
    pub(super) fn block(
        &mut self,
        kind: TagKind,
        weight: Weight,
        size: f32,
        text: &str,
        space_after: f32,
    ) {
        let mut leaves = Vec::new();
        for line in wrap(self.face(weight), text, size, CONTENT_WIDTH) {
            self.reserve(size * LINE_SPACING);
            leaves.push(TagNode::Leaf(
                self.text_at(weight, size, MARGIN, false, &line),
            ));
            self.y += size * LINE_SPACING;
        }
        self.y += space_after;
        self.root.push(TagNode::Group(kind, leaves));
    }

    pub(super) fn heading(&mut self, text: &str) {
        // A heading is kept with at least two lines of what follows.
        self.reserve(HEADING * LINE_SPACING + 2.0 * BODY * LINE_SPACING);
        self.y += 4.0;
        self.outline
            .push((text.to_owned(), self.pages.len() - 1, self.y));
        self.block(heading(2, text), Weight::Bold, HEADING, text, 3.0);
    }

    pub(super) fn paragraph(&mut self, text: &str) {
        self.block(Tag::P.into(), Weight::Regular, BODY, text, 2.0);
    }

    pub(super) fn rule(&mut self) {
        let y = self.y;
        self.push(Draw::Rule {
            x: MARGIN,
            y,
            width: CONTENT_WIDTH,
        });
        self.y += 4.0;
    }

    /// The fee schedule as a table: a header row, a row per year, a total row.
    pub(super) fn fee_table(&mut self, lines: &[FeeYear], total: Cents) {
        // Right edges of the right-aligned columns; the first column is left-aligned.
        let columns = [
            (MARGIN, false),
            (MARGIN + 260.0, true),
            (MARGIN + 350.0, true),
            (MARGIN + CONTENT_WIDTH, true),
        ];
        let row_height = BODY * LINE_SPACING;
        let row = |layout: &mut Self, weight: Weight, cells: [String; 4], header: bool| {
            layout.reserve(row_height + 4.0);
            let nodes: Vec<TagNode> = cells
                .iter()
                .zip(columns)
                .map(|(cell, (x, right))| {
                    let kind: TagKind = if header {
                        Tag::TH(TableHeaderScope::Column).into()
                    } else {
                        Tag::TD.into()
                    };
                    let leaves = if cell.is_empty() {
                        Vec::new()
                    } else {
                        vec![TagNode::Leaf(layout.text_at(weight, BODY, x, right, cell))]
                    };
                    TagNode::Group(kind, leaves)
                })
                .collect();
            layout.y += row_height;
            TagNode::Group(Tag::TR.into(), nodes)
        };
        self.reserve(3.0 * row_height);
        let head = row(
            self,
            Weight::Bold,
            [
                "Année".to_owned(),
                "Capital restant dû".to_owned(),
                "Taux".to_owned(),
                "Commission".to_owned(),
            ],
            true,
        );
        self.rule();
        let body: Vec<TagNode> = lines
            .iter()
            .map(|line| {
                row(
                    self,
                    Weight::Regular,
                    [
                        line.year.to_string(),
                        euros(line.outstanding),
                        percent(line.rate_bp),
                        euros(line.fee),
                    ],
                    false,
                )
            })
            .collect();
        self.rule();
        let foot = row(
            self,
            Weight::Bold,
            [
                String::from("Total"),
                String::new(),
                String::new(),
                euros(total),
            ],
            false,
        );
        self.y += 4.0;
        self.root.push(TagNode::Group(
            Tag::Table.into(),
            vec![
                TagNode::Group(Tag::THead.into(), vec![head]),
                TagNode::Group(Tag::TBody.into(), body),
                TagNode::Group(Tag::TFoot.into(), vec![foot]),
            ],
        ));
    }

    /// A group of blocks in another language than the document's.
    pub(super) fn in_language(&mut self, lang: &str, build: impl FnOnce(&mut Self)) {
        let outer = std::mem::take(&mut self.root);
        build(self);
        let inner = std::mem::replace(&mut self.root, outer);
        self.root.push(TagNode::Group(
            Tag::Part.with_lang(Some(lang.to_owned())).into(),
            inner,
        ));
    }
}
