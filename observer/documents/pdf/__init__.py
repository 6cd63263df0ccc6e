"""PDF summaries of observations, the copy that goes on the worker's supervision file.

Layout only: it takes plain content (`observer.documents.pdf.content`, gathered by
`observer.documents.summary_content`) and never calls back into the services.
`observer.documents.pdf.summary` lays it out with reportlab; only that loads reportlab, so
import it when exporting, never at start-up.
"""
