//! The lexical index: a tantivy index over each canonical fact-check's claim and headline,
//! in two analyzers (exact and folded) plus folded bigrams, with the near-duplicate
//! fingerprint as a fast field.
//!
//! The index is derived state. It remembers, in its commit payload, the store revision it
//! has seen, so [`MatchIndex::apply`] can bring it up to date with only the changes since.

use std::path::Path;

use claimdesk_core::FactCheckId;
use claimdesk_text::{Form, bigrams, fingerprint, terms};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::{Error, Result};

/// What the index needs of a fact-check.
#[derive(Debug, Clone)]
pub struct IndexDoc {
    /// The store's id.
    pub id: FactCheckId,
    /// The claim reviewed.
    pub claim: String,
    /// The headline, when there is one.
    pub headline: Option<String>,
}

/// One change to apply to the index, in store order.
#[derive(Debug, Clone)]
pub enum IndexChange {
    /// Index (or re-index) a canonical fact-check.
    Upsert(IndexDoc),
    /// Remove a fact-check (it was deleted or became an alias).
    Remove(FactCheckId),
}

pub use claimdesk_core::explanation::MatchField;

/// The tantivy tokenizer that analyses `field`.
fn tokenizer(field: MatchField) -> &'static str {
    match field {
        MatchField::ClaimExact | MatchField::HeadlineExact => "claimdesk_exact",
        MatchField::ClaimFolded | MatchField::HeadlineFolded => "claimdesk_folded",
        MatchField::Bigrams => "claimdesk_bigrams",
    }
}

/// The tantivy tokenizers: thin adapters over `claimdesk-text`, so the index and the query
/// see exactly the same terms.
#[derive(Clone, Copy)]
struct ClaimdeskTokenizer(fn(&str) -> Vec<String>);

struct VecTokenStream {
    terms: std::vec::IntoIter<String>,
    token: Token,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        match self.terms.next() {
            Some(t) => {
                self.token.text = t;
                self.token.position = self.token.position.wrapping_add(1);
                true
            }
            None => false,
        }
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

impl Tokenizer for ClaimdeskTokenizer {
    type TokenStream<'a> = VecTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream {
            terms: (self.0)(text).into_iter(),
            token: Token {
                position: usize::MAX,
                ..Token::default()
            },
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub(crate) id: Field,
    pub(crate) simhash: Field,
    pub(crate) text: [Field; 5],
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_u64_field("fc_id", INDEXED | FAST | STORED);
    let simhash = b.add_u64_field("simhash", FAST);
    let text = MatchField::ALL.map(|f| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(tokenizer(f))
            .set_index_option(IndexRecordOption::WithFreqs);
        b.add_text_field(
            f.as_str(),
            TextOptions::default().set_indexing_options(indexing),
        )
    });
    (b.build(), Fields { id, simhash, text })
}

fn register_tokenizers(index: &Index) {
    let m = index.tokenizers();
    m.register(
        "claimdesk_exact",
        ClaimdeskTokenizer(|t| terms(t, Form::Exact)),
    );
    m.register(
        "claimdesk_folded",
        ClaimdeskTokenizer(|t| terms(t, Form::Folded)),
    );
    m.register(
        "claimdesk_bigrams",
        ClaimdeskTokenizer(|t| bigrams(t, Form::Folded)),
    );
}

/// The on-disk lexical and near-duplicate index of the canonical fact-checks.
pub struct MatchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
}

impl MatchIndex {
    /// Opens the index in `dir`, creating an empty one when there is none.
    pub fn open_or_create(dir: &Path) -> Result<MatchIndex> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let (schema, fields) = schema();
        let index = if dir.join("meta.json").exists() {
            let index = Index::open_in_dir(dir)?;
            if index.schema() != schema {
                return Err(Error::SchemaChanged(dir.to_path_buf()));
            }
            index
        } else {
            Index::create_in_dir(dir, schema)?
        };
        register_tokenizers(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(MatchIndex {
            index,
            reader,
            fields,
        })
    }

    /// The store revision this index reflects (0 for a new index).
    pub fn revision(&self) -> Result<i64> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .and_then(|p| p.strip_prefix("revision=")?.parse().ok())
            .unwrap_or(0))
    }

    /// Reads what was committed since the last reload (by this process or another one
    /// writing the same directory).
    pub fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        Ok(())
    }

    /// Number of fact-checks indexed.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Applies `changes` (in store order) and records `revision` as seen. One indexing thread,
    /// so the same changes always give the same segments.
    pub fn apply(
        &mut self,
        changes: impl IntoIterator<Item = IndexChange>,
        revision: i64,
    ) -> Result<()> {
        let mut writer: IndexWriter<TantivyDocument> =
            self.index.writer_with_num_threads(1, 64 * 1024 * 1024)?;
        for change in changes {
            match change {
                IndexChange::Remove(id) => {
                    writer.delete_term(Term::from_field_u64(self.fields.id, id.0 as u64));
                }
                IndexChange::Upsert(doc) => {
                    writer.delete_term(Term::from_field_u64(self.fields.id, doc.id.0 as u64));
                    writer.add_document(self.document(&doc))?;
                }
            }
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&format!("revision={revision}"));
        commit.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(())
    }

    fn document(&self, doc: &IndexDoc) -> TantivyDocument {
        let mut d = TantivyDocument::default();
        d.add_u64(self.fields.id, doc.id.0 as u64);
        let headline = doc.headline.as_deref().unwrap_or("");
        // Posts copy the claim, not the headline: the fingerprint is of the claim alone.
        if let Some(fp) = fingerprint(&doc.claim) {
            d.add_u64(self.fields.simhash, fp.0);
        }
        for (f, field) in MatchField::ALL.iter().zip(self.fields.text) {
            match f {
                MatchField::ClaimExact | MatchField::ClaimFolded => d.add_text(field, &doc.claim),
                MatchField::HeadlineExact | MatchField::HeadlineFolded => {
                    d.add_text(field, headline)
                }
                // Two values, so no bigram spans the end of the claim and the headline.
                MatchField::Bigrams => {
                    d.add_text(field, &doc.claim);
                    d.add_text(field, headline);
                }
            }
        }
        d
    }
}
