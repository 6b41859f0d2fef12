"""What routes receive from the application, typed, through FastAPI dependencies.

Routes never read ``request.state`` or ``app.state`` themselves: they declare ``service: ServiceDep`` (the
:class:`graphapp.service.Service` built in the lifespan), ``settings: SettingsDep`` or
``templates: TemplatesDep``, as Starlette's lifespan state and Datasette's ``Datasette`` object are handed
to views.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from ..config import Settings
from ..service import Service


def get_service(request: Request) -> Service:
    return request.app.state.service


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


ServiceDep = Annotated[Service, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
