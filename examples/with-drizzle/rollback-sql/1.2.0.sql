ALTER TABLE "posts" DROP CONSTRAINT "posts_title_not_blank";
DROP INDEX "posts_published_idx";
ALTER TABLE "posts" DROP COLUMN "published_at";
