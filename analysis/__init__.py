"""discourse kit: framing, hedging, attribution and sentiment of official statements and commentary."""
import logging

# Library code never prints: without logging configured by the caller, warnings stay silent.
logging.getLogger(__name__).addHandler(logging.NullHandler())
from .corpus import load_corpus
from .errors import (CorpusError, DiscourseKitError, EmptyDocumentError, EncodingError, LexiconError,
                     MetadataError, ParameterError, ReportError)
from .kwic import kwic
from .lexicon import load_lexicon
from .measures import MEASURES, match_measures, rates_by_document
from .pipeline import Analysis, analyze
from .sentiment import score_sentences, sentiment_by_document
from .tokens import sentences_table, split_sentences, tokenize, tokens_table
from .views import highlight_document

__version__ = "0.1.0"

__all__ = [
    "__version__", "analyze", "Analysis", "load_corpus", "sentences_table", "tokens_table",
    "split_sentences", "tokenize", "load_lexicon", "MEASURES", "match_measures",
    "rates_by_document", "score_sentences", "sentiment_by_document", "kwic", "highlight_document",
    "DiscourseKitError", "CorpusError", "EncodingError", "EmptyDocumentError", "MetadataError",
    "LexiconError", "ParameterError", "ReportError",
]
