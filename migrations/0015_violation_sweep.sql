-- Reserved for violation sweep and scheduler (issue 6); filled in by that work.
SET LOCAL search_path = dossier, public;
