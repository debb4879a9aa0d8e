from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import search as run_search


def search(request: HttpRequest) -> HttpResponse:
    results = run_search(viewer=request.user, query=request.GET.get("q", ""))
    return render(request, "search/results.html", {"results": results})
