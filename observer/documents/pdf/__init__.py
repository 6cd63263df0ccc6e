"""PDF summaries of observations, the copy that goes on the worker's supervision file.

`observer.documents.pdf.content` gathers what a summary shows as plain data;
`observer.documents.pdf.summary`
lays it out with reportlab. Only the latter loads reportlab, so import it when exporting,
never at start-up.
"""
