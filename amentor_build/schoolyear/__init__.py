"""The school year around the records: pupils in and out, the termly spreadsheet, rollover and
frozen years. Every command here edits the YAML records in place (`edits.RecordEdits`: comments,
key order and quoting kept), all files together or none."""
