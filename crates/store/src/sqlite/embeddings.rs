//! [`EmbeddingStore`] for SQLite: vectors as little-endian f32 blobs.

use super::SqliteStore;
use crate::{EmbeddingStore, Result};

impl EmbeddingStore for SqliteStore {
    async fn embeddings(&self, model: &str, hashes: &[u64]) -> Result<Vec<(u64, Vec<f32>)>> {
        let mut out = Vec::with_capacity(hashes.len());
        for chunk in hashes.chunks(500) {
            let mut sql = String::from(
                "SELECT text_hash, vector FROM embeddings WHERE model = ? AND text_hash IN (",
            );
            for i in 0..chunk.len() {
                sql.push_str(if i == 0 { "?" } else { ", ?" });
            }
            sql.push(')');
            let mut query =
                sqlx::query_as::<_, (i64, Vec<u8>)>(sqlx::AssertSqlSafe(sql)).bind(model);
            for &h in chunk {
                query = query.bind(h as i64);
            }
            for (hash, blob) in query.fetch_all(&self.pool).await? {
                let vector = blob
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                out.push((hash as u64, vector));
            }
        }
        Ok(out)
    }

    async fn save_embeddings(&self, model: &str, vectors: &[(u64, Vec<f32>)]) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for (hash, vector) in vectors {
            let blob: Vec<u8> = vector.iter().flat_map(|v| v.to_le_bytes()).collect();
            sqlx::query(
                "INSERT OR IGNORE INTO embeddings (model, text_hash, dim, vector) VALUES (?, ?, ?, ?)",
            )
            .bind(model)
            .bind(*hash as i64)
            .bind(vector.len() as i64)
            .bind(blob)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
