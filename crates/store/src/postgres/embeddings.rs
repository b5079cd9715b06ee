//! [`EmbeddingStore`] for PostgreSQL: vectors as little-endian f32 blobs.

use super::PgStore;
use crate::{EmbeddingStore, Result};

impl EmbeddingStore for PgStore {
    async fn embeddings(&self, model: &str, hashes: &[u64]) -> Result<Vec<(u64, Vec<f32>)>> {
        let mut out = Vec::with_capacity(hashes.len());
        for chunk in hashes.chunks(500) {
            // The hashes are u64 stored as i64 (their bits), as on SQLite.
            let keys: Vec<i64> = chunk.iter().map(|&h| h as i64).collect();
            let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as(
                "SELECT text_hash, vector FROM embeddings
                 WHERE model = $1 AND text_hash = ANY($2)",
            )
            .bind(model)
            .bind(keys)
            .fetch_all(&self.pool)
            .await?;
            for (hash, blob) in rows {
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
        // Concurrent savers of the same vector: the first wins, the others change nothing.
        let mut tx = self.pool.begin().await?;
        for (hash, vector) in vectors {
            let blob: Vec<u8> = vector.iter().flat_map(|v| v.to_le_bytes()).collect();
            sqlx::query(
                "INSERT INTO embeddings (model, text_hash, dim, vector) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (model, text_hash) DO NOTHING",
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
