"""discourse kit: framing, hedging, attribution and sentiment of official statements and commentary."""
from .corpus import load_corpus
from .errors import (CorpusError, DiscourseKitError, EmptyDocumentError, EncodingError, LexiconError,
                     MetadataError, ParameterError, ReportError)
from .tokens import sentences_table, split_sentences, tokenize, tokens_table

__version__ = "0.1.0"

__all__ = [
    "__version__", "load_corpus", "sentences_table", "tokens_table", "split_sentences", "tokenize",
    "DiscourseKitError", "CorpusError", "EncodingError", "EmptyDocumentError", "MetadataError",
    "LexiconError", "ParameterError", "ReportError",
]
