"""`bunrui lsp`: a language server that brings suggestions and `bunrui check` into editors.

``server.serve`` is its entry point (the only module the command line imports); the
others each answer one part of the protocol over a document as the editor holds it.
"""
