//! Images on items and fact-checks (PostgreSQL, migration `0003_images`).

use claimdesk_core::{FactCheckId, ImageJoin, ItemId};

use super::PgStore;
use crate::images::{
    ImageRow, ImageStore, ItemImage, ItemImageHash, ItemImageHashRow, ItemImageRow, NewItemImage,
    StoredImage, image_from_row, image_neighbour_from_row, item_image_from_row,
    item_image_hash_from_row,
};
use crate::{Error, Result};

impl ImageStore for PgStore {
    async fn save_image(&self, i: &StoredImage) -> Result<()> {
        sqlx::query(
            "INSERT INTO images (sha256, format, width, height, bytes, pdq, pdq_quality,
                ocr_text, ocr_note)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (sha256) DO UPDATE SET ocr_text = excluded.ocr_text,
                ocr_note = excluded.ocr_note
             WHERE images.ocr_text IS NULL AND excluded.ocr_text IS NOT NULL",
        )
        .bind(&i.sha256)
        .bind(&i.format)
        .bind(i64::from(i.width))
        .bind(i64::from(i.height))
        .bind(i64::try_from(i.bytes).unwrap_or(i64::MAX))
        .bind(&i.pdq)
        .bind(i.pdq_quality.map(i64::from))
        .bind(&i.ocr_text)
        .bind(&i.ocr_note)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn image(&self, sha256: &str) -> Result<Option<StoredImage>> {
        let row: Option<ImageRow> = sqlx::query_as(
            "SELECT sha256, format, width, height, bytes, pdq, pdq_quality, ocr_text, ocr_note
             FROM images WHERE sha256 = $1",
        )
        .bind(sha256)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(image_from_row))
    }

    async fn set_item_images(&self, item: ItemId, images: &[NewItemImage]) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM item_images WHERE item_id = $1")
            .bind(item.0)
            .execute(&mut *tx)
            .await?;
        for i in images {
            sqlx::query(
                "INSERT INTO item_images (item_id, position, sha256, name, note, refused)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(item.0)
            .bind(i64::from(i.position))
            .bind(&i.sha256)
            .bind(&i.name)
            .bind(&i.note)
            .bind(&i.refused)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn item_images(&self, item: ItemId) -> Result<Vec<ItemImage>> {
        let rows: Vec<ItemImageRow> = sqlx::query_as(
            "SELECT ii.position, ii.name, ii.note, ii.refused, i.sha256, i.format, i.width,
                    i.height, i.bytes, i.pdq, i.pdq_quality, i.ocr_text, i.ocr_note
             FROM item_images ii LEFT JOIN images i ON i.sha256 = ii.sha256
             WHERE ii.item_id = $1 ORDER BY ii.position",
        )
        .bind(item.0)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(item_image_from_row).collect())
    }

    async fn item_image_counts(&self, items: &[ItemId]) -> Result<Vec<(ItemId, u32)>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::to_string(&items.iter().map(|i| i.0).collect::<Vec<_>>())
            .map_err(|e| Error::Corrupt(e.to_string()))?;
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT item_id, COUNT(*) FROM item_images
             WHERE item_id IN (SELECT value::bigint FROM json_array_elements_text($1::json)) AND sha256 IS NOT NULL
             GROUP BY item_id ORDER BY item_id",
        )
        .bind(ids)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(item, n)| (ItemId(item), u32::try_from(n).unwrap_or(u32::MAX)))
            .collect())
    }

    async fn add_fact_check_image(&self, fact_check: FactCheckId, sha256: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO factcheck_images (factcheck_id, sha256) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
        )
        .bind(fact_check.0)
        .bind(sha256)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn fact_check_images(&self, fact_check: FactCheckId) -> Result<Vec<StoredImage>> {
        let rows: Vec<ImageRow> = sqlx::query_as(
            "SELECT i.sha256, i.format, i.width, i.height, i.bytes, i.pdq, i.pdq_quality,
                    i.ocr_text, i.ocr_note
             FROM factcheck_images f JOIN images i ON i.sha256 = f.sha256
             WHERE f.factcheck_id = $1 ORDER BY i.sha256",
        )
        .bind(fact_check.0)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(image_from_row).collect())
    }

    async fn fact_check_image_hashes(&self) -> Result<Vec<(FactCheckId, String, String)>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT f.factcheck_id, i.sha256, i.pdq
             FROM factcheck_images f JOIN images i ON i.sha256 = f.sha256
             WHERE i.pdq IS NOT NULL ORDER BY f.factcheck_id, i.sha256",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(f, sha, pdq)| (FactCheckId(f), sha, pdq))
            .collect())
    }

    async fn item_image_hashes(&self, items: &[ItemId]) -> Result<Vec<ItemImageHash>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::to_string(&items.iter().map(|i| i.0).collect::<Vec<_>>())
            .map_err(|e| Error::Corrupt(e.to_string()))?;
        let rows: Vec<ItemImageHashRow> = sqlx::query_as(
            "SELECT ii.item_id, i.sha256, i.pdq, i.pdq_quality
             FROM item_images ii JOIN images i ON i.sha256 = ii.sha256
             WHERE ii.item_id IN (SELECT value::bigint FROM json_array_elements_text($1::json)) AND i.pdq IS NOT NULL
             ORDER BY ii.item_id, ii.position",
        )
        .bind(ids)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(item_image_hash_from_row).collect())
    }

    async fn recent_item_image_hashes(&self, limit: u32) -> Result<Vec<ItemImageHash>> {
        let rows: Vec<ItemImageHashRow> = sqlx::query_as(
            "SELECT ii.item_id, i.sha256, i.pdq, i.pdq_quality
             FROM item_images ii JOIN images i ON i.sha256 = ii.sha256
             WHERE i.pdq IS NOT NULL
             ORDER BY ii.item_id DESC, ii.position LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(item_image_hash_from_row).collect())
    }

    async fn save_image_neighbours(&self, neighbours: &[(ItemId, ImageJoin)]) -> Result<()> {
        if neighbours.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool().begin().await?;
        for (item, near) in neighbours {
            sqlx::query(
                "INSERT INTO item_image_neighbours (item_id, near_item, distance) VALUES ($1, $2, $3)
                 ON CONFLICT (item_id) DO UPDATE SET near_item = excluded.near_item,
                    distance = excluded.distance",
            )
            .bind(item.0)
            .bind(near.item.0)
            .bind(i64::from(near.distance))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn image_neighbours(&self, items: &[ItemId]) -> Result<Vec<(ItemId, ImageJoin)>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::to_string(&items.iter().map(|i| i.0).collect::<Vec<_>>())
            .map_err(|e| Error::Corrupt(e.to_string()))?;
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT item_id, near_item, distance FROM item_image_neighbours
             WHERE item_id IN (SELECT value::bigint FROM json_array_elements_text($1::json)) ORDER BY item_id",
        )
        .bind(ids)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(image_neighbour_from_row).collect())
    }
}
