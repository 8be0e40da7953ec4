DROP TABLE "posts";
ALTER TABLE "users" DROP COLUMN "role";
DROP TYPE "public"."role";
