"""Contract tests for the creditor's portfolio API (list, search, exports, PATCH, semicolon CSV
imports, tenancy), written blind from the product issue: only the public API is used."""
