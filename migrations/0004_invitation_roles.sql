ALTER TABLE "users" ADD COLUMN "platform_admin" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- An `admin` membership in any shop used to mean platform-wide admin: those users keep it as the
-- user-level flag, and the memberships (which no shop may grant any more) go.
UPDATE "users" SET "platform_admin" = true WHERE "id" IN (SELECT "user_id" FROM "memberships" WHERE "role" = 'admin');--> statement-breakpoint
DELETE FROM "memberships" WHERE "role" = 'admin';--> statement-breakpoint
-- Invitations can only offer the barber role now. Others were never issued by the API; any that
-- exist are withdrawn (the audit log keeps their history).
DELETE FROM "invitations" WHERE "role" <> 'barber';--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_role_check" CHECK ("invitations"."role" = 'barber');--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_role_check" CHECK ("memberships"."role" <> 'admin');
