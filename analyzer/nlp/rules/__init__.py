"""The rule detectors: spaCy pipeline components over the pattern files (rules are data).

One module per concern, each importing only those above it in this list:

- `base`: `RuleComponent` (pattern files -> matchers -> matches grouped by sentence ->
  `doc.spans["scopelens"]`), `Hit`, `SentenceHits` and the sentence helpers.
- `bound`: who a sentence binds (the vendor, the client, nobody), from its party cues.
- `guards`: the registry of named predicates a pattern's guard keys switch on.
- `lines`: the line shapes of scope documents (staffing lines, milestone headings, estimates).
- `ambiguity`, `commitment`, `scope`: the three components and their spaCy factories
  (`scopelens_ambiguity`, `scopelens_commitment`, `scopelens_scope_statements`).

The package imports none of them itself: `analyzer.nlp.pipeline` imports the three component
modules, which registers their factories.
"""
