-- Reserved for retention dates (issue 5); filled in by that work.
SET LOCAL search_path = dossier, public;
