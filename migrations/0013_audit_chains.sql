-- Reserved for audit chains (issue 6); filled in by that work.
SET LOCAL search_path = dossier, public;
