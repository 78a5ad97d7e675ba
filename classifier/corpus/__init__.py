"""The corpus: post files read into Post records, their front matter located and edited, labels
and their spellings, files written atomically."""
