"""Text: Markdown, HTML and Liquid to plain blocks, a blog's boilerplate removed, MeCab tokens and
their cache."""
