"""Apps and the manager that loads, wires, runs and stops them (Ryu's programming model).

An app is a :class:`CtrlApp` subclass (``RyuApp`` is an alias) in a module or a
``.py`` file.  Its ``@set_ev_cls`` methods are its event handlers; ``_CONTEXTS``
names shared objects (created once, handed to ``__init__`` as keyword
arguments); ``OFP_VERSIONS`` limits the OpenFlow versions it accepts.

Each app has its own bounded event queue and green thread, so a slow app only
delays itself.  A handler that raises is logged with the app, the event and the
datapath id, and the loop goes on.  Apps talk to each other with
:meth:`CtrlApp.send_event` / :meth:`CtrlApp.send_event_to_observers` and
:meth:`CtrlApp.send_request` / :meth:`CtrlApp.reply_to_request`, and to the
outside world (RPC subscribers) with :meth:`CtrlApp.publish`.

The manager gives each app its settings (the app's ``[apps.<name>]`` section of
the configuration file) as ``self.settings`` and a private state directory as
``self.state_dir``; on shutdown it calls each app's ``close()`` (flush state)
and then ``stop()``.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ctrlapp.controller import event as event_mod
from ctrlapp.controller.controller import WRITE_BATCH
from ctrlapp.controller.handler import iter_handlers
from ctrlapp.exception import AppLoadError, RequestTimeout
from ctrlapp.lib import hub

LOG = logging.getLogger(__name__)

SERVICE_BRICKS: dict[str, CtrlApp] = {}
"""Every running app by name (Ryu's name for this table)."""


def lookup_service_brick(name: str) -> CtrlApp | None:
    """The running app called ``name``, or None."""
    return SERVICE_BRICKS.get(name)


class Notifier:
    """Fan-out of app notifications to subscribers (the RPC service subscribes here).

    Publishing with no subscriber costs one attribute check; a subscriber that
    raises is logged and does not disturb the publisher or other subscribers.
    """

    def __init__(self) -> None:
        self._subscribers: list[Callable[[str, str, Any], None]] = []

    def subscribe(self, callback: Callable[[str, str, Any], None]) -> Callable[[], None]:
        """Call ``callback(app_name, topic, payload)`` on every publish; returns an unsubscriber."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def publish(self, source: str, topic: str, payload: Any) -> None:
        for callback in tuple(self._subscribers):
            try:
                callback(source, topic, payload)
            except Exception:
                LOG.exception("notification subscriber %r failed on topic %s", callback, topic)


NOTIFIER = Notifier()


class AppCounters:
    """Per-app figures for monitoring (REST/metrics read them)."""

    __slots__ = ("events_handled", "handler_errors", "handler_time", "events_dropped")

    def __init__(self) -> None:
        self.events_handled = 0
        self.handler_errors = 0
        self.handler_time = 0.0
        self.events_dropped = 0

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self.__slots__}


class CtrlApp:
    """Base class of every app.

    Class attributes an app may set: ``_CONTEXTS`` (name -> class of a shared
    object), ``_EVENTS`` (the app-defined event classes it raises),
    ``OFP_VERSIONS`` (OpenFlow versions it accepts; None means any),
    ``QUEUE_SIZE`` (its event queue bound).
    """

    _CONTEXTS: dict[str, type] = {}
    _EVENTS: list[type] = []
    OFP_VERSIONS: list[int] | None = None
    QUEUE_SIZE = 4096

    def __init__(self, *_args: Any, **kwargs: Any) -> None:
        self.name: str = getattr(type(self), "_NAME", type(self).__name__)
        self.settings: dict[str, Any] = kwargs.get("settings") or {}
        state_dir = kwargs.get("state_dir")
        self.state_dir: Path | None = Path(state_dir) if state_dir else None
        self.logger = logging.getLogger(f"ctrlapp.app.{self.name}")
        self.events: hub.Queue = hub.Queue(self.QUEUE_SIZE)
        self.counters = AppCounters()
        self.threads: list[hub.GreenThread] = []
        self.main_thread: hub.GreenThread | None = None
        self.is_active = True
        self.manager: AppManager | None = None
        self.event_handlers: dict[type, list[tuple[Callable, frozenset[str] | None]]] = {}
        for ev_cls, method, states in iter_handlers(self):
            self.register_handler(ev_cls, method, states)

    # -- handlers ---------------------------------------------------------------------------

    def register_handler(
        self, ev_cls: type, handler: Callable, states: frozenset[str] | None = None
    ) -> None:
        self.event_handlers.setdefault(ev_cls, []).append((handler, states))
        if self.manager is not None:
            self.manager.rebuild_observers()

    def unregister_handler(self, ev_cls: type, handler: Callable) -> None:
        handlers = self.event_handlers.get(ev_cls, [])
        self.event_handlers[ev_cls] = [h for h in handlers if h[0] != handler]
        if self.manager is not None:
            self.manager.rebuild_observers()

    def get_handlers(self, ev: Any, state: str | None = None) -> list[Callable]:
        return [
            h
            for h, states in self.event_handlers.get(type(ev), ())
            if states is None or state is None or state in states
        ]

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> hub.GreenThread:
        """Start the event loop; subclasses that override it call ``super().start()``."""
        self.main_thread = hub.spawn(self._event_loop)
        self.threads.append(self.main_thread)
        return self.main_thread

    def close(self) -> None:
        """Shutdown hook: flush state, close files and connections.  Override as needed."""

    def stop(self) -> None:
        """End the app's event loop and the threads it registered in ``self.threads``."""
        self.is_active = False
        try:
            self.events.put_nowait(None)
        except hub.QueueFull:
            pass
        for t in self.threads:
            if t is not hub.getcurrent():
                hub.kill(t)
        self.threads = []

    def _event_loop(self) -> None:
        q = self.events
        counters = self.counters
        handlers = self.event_handlers
        clock = time.perf_counter
        batch = WRITE_BATCH
        pending = q.queue
        getcurrent = hub.getcurrent
        while self.is_active:
            if not pending:
                batch.end()
            item = q.get()
            if item is None:
                break
            batch.owner = getcurrent()
            ev, state, dp = item
            for handler, states in handlers.get(type(ev), ()):
                if states is not None and state is not None and state not in states:
                    continue
                t0 = clock()
                try:
                    handler(ev)
                except hub.TaskExit:
                    return
                except Exception:
                    counters.handler_errors += 1
                    self.logger.exception(
                        "app %s: handler %s failed on %s (datapath %s)",
                        self.name,
                        getattr(handler, "__name__", handler),
                        type(ev).__name__,
                        _dpid_str(dp),
                    )
                counters.handler_time += clock() - t0
            counters.events_handled += 1
            if dp is not None:
                dp.event_done()

    @property
    def queue_depth(self) -> int:
        return self.events.qsize()

    # -- events between apps ----------------------------------------------------------------

    def enqueue(self, ev: Any, state: str | None = None, dp: Any = None) -> None:
        """Queue ``ev`` for this app (blocks while the queue is full)."""
        if not self.is_active:
            self.counters.events_dropped += 1
            return
        self.events.put((ev, state, dp))

    def send_event(self, name: str, ev: Any, state: str | None = None) -> None:
        """Deliver ``ev`` to the app called ``name`` (dropped with a log line if none)."""
        app = SERVICE_BRICKS.get(name)
        if app is None:
            LOG.debug("event %s for unknown app %s dropped", type(ev).__name__, name)
            return
        app.enqueue(ev, state)

    def send_event_to_observers(self, ev: Any, state: str | None = None) -> None:
        """Deliver ``ev`` to every app with a handler for its class."""
        if self.manager is not None:
            self.manager.dispatch(ev, state)

    def send_request(self, req: event_mod.EventRequestBase, timeout: float | None = None) -> Any:
        """Send ``req`` to ``req.dst`` and wait for its reply (RequestTimeout after ``timeout``)."""
        req.src = self.name
        req.sync = True
        req.reply_q = hub.Queue()
        self.send_event(req.dst, req)
        try:
            return req.reply_q.get(timeout=timeout)
        except hub.QueueEmpty:
            raise RequestTimeout(
                f"{type(req).__name__} to app {req.dst} got no reply in {timeout}s"
            ) from None

    def reply_to_request(
        self, req: event_mod.EventRequestBase, rep: event_mod.EventReplyBase
    ) -> None:
        """Answer ``req``: wakes the waiting ``send_request`` or sends ``rep`` as an event."""
        rep.dst = req.src
        if req.sync:
            req.reply_q.put(rep)
        else:
            self.send_event(rep.dst, rep)

    def publish(self, topic: str, payload: Any) -> None:
        """Tell subscribers outside the process (RPC clients) about ``topic``; cheap if none."""
        NOTIFIER.publish(self.name, topic, payload)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


RyuApp = CtrlApp


def _dpid_str(dp: Any) -> str:
    dpid = getattr(dp, "id", None)
    return f"{dpid:016x}" if isinstance(dpid, int) else "-"


def _module_label(spec: str) -> str:
    """The short name of an app spec: file stem or last dotted component."""
    if spec.endswith(".py") or "/" in spec:
        return Path(spec).stem
    return spec.rsplit(".", 1)[-1]


def load_module(spec: str) -> Any:
    """Import an app module from a dotted name or a ``.py`` path; AppLoadError says why not."""
    if spec.endswith(".py") or "/" in spec or spec.startswith("."):
        path = Path(spec)
        if not path.is_file():
            raise AppLoadError(f"app file {spec} not found")
        modname = f"ctrlapp_app_{path.stem}"
        if modname in sys.modules:
            return sys.modules[modname]
        module_spec = importlib.util.spec_from_file_location(modname, path)
        if module_spec is None or module_spec.loader is None:
            raise AppLoadError(f"app file {spec} cannot be imported")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[modname] = module
        try:
            module_spec.loader.exec_module(module)
        except SyntaxError as exc:
            del sys.modules[modname]
            raise AppLoadError(f"app {spec}:{exc.lineno}: syntax error: {exc.msg}") from None
        except Exception as exc:
            del sys.modules[modname]
            raise AppLoadError(f"app {spec} failed to import: {type(exc).__name__}: {exc}") from exc
        return module
    try:
        return importlib.import_module(spec)
    except ModuleNotFoundError as exc:
        if exc.name and spec.startswith(exc.name):
            raise AppLoadError(f"app module {spec} not found") from None
        raise AppLoadError(f"app {spec} failed to import: {exc}") from exc
    except SyntaxError as exc:
        raise AppLoadError(
            f"app {spec} ({exc.filename}:{exc.lineno}): syntax error: {exc.msg}"
        ) from None
    except Exception as exc:
        raise AppLoadError(f"app {spec} failed to import: {type(exc).__name__}: {exc}") from exc


def app_classes(module: Any) -> list[type[CtrlApp]]:
    """The CtrlApp subclasses defined in ``module`` (not merely imported there)."""
    return [
        cls
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, CtrlApp) and cls.__module__ == module.__name__
    ]


class AppManager:
    """Loads apps, creates their shared contexts, runs them and routes events to them.

    ``controller`` is the OpenFlow controller once one is attached; ``datapaths``
    is its registry of connected switches (dpid -> Datapath), empty without one.
    """

    _instance: AppManager | None = None

    @classmethod
    def get_instance(cls) -> AppManager:
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def __init__(
        self,
        app_settings: dict[str, dict[str, Any]] | None = None,
        state_dir: str | Path | None = None,
    ) -> None:
        self.app_settings = app_settings or {}
        self.state_dir = Path(state_dir) if state_dir else None
        self.applications_cls: dict[str, type[CtrlApp]] = {}
        self.app_labels: dict[str, str] = {}
        self.contexts_cls: dict[str, type] = {}
        self.contexts: dict[str, Any] = {}
        self.applications: dict[str, CtrlApp] = {}
        self.controller: Any = None
        self._observers: dict[type, tuple[CtrlApp, ...]] = {}
        AppManager._instance = self

    # -- loading ----------------------------------------------------------------------------

    def load_app(self, spec: str) -> type[CtrlApp]:
        module = load_module(spec)
        classes = app_classes(module)
        if not classes:
            raise AppLoadError(f"app {spec} defines no CtrlApp subclass")
        for cls in classes:
            name = getattr(cls, "_NAME", cls.__name__)
            self.applications_cls[name] = cls
            self.app_labels[name] = _module_label(spec)
        return classes[0]

    def load_apps(self, specs: Iterable[str]) -> None:
        for spec in specs:
            self.load_app(spec)
        for cls in list(self.applications_cls.values()):
            for key, ctx_cls in cls._CONTEXTS.items():
                known = self.contexts_cls.setdefault(key, ctx_cls)
                if known is not ctx_cls:
                    raise AppLoadError(
                        f"context {key!r} is {known.__name__} for one app and "
                        f"{ctx_cls.__name__} for another"
                    )

    def ofp_versions(self) -> set[int] | None:
        """The OpenFlow versions every loaded app accepts (None: no app restricts them)."""
        versions: set[int] | None = None
        for cls in self.applications_cls.values():
            if cls.OFP_VERSIONS is not None:
                mine = set(cls.OFP_VERSIONS)
                versions = mine if versions is None else versions & mine
        return versions

    def _app_kwargs(self, name: str) -> dict[str, Any]:
        label = self.app_labels.get(name, name)
        settings = dict(self.app_settings.get(label) or self.app_settings.get(name) or {})
        state_dir = None
        if self.state_dir is not None:
            state_dir = self.state_dir / label
            state_dir.mkdir(parents=True, exist_ok=True)
        return {"settings": settings, "state_dir": state_dir}

    def create_contexts(self) -> dict[str, Any]:
        for key, cls in self.contexts_cls.items():
            if issubclass(cls, CtrlApp):
                obj = cls(**self._app_kwargs(key))
                self._register(obj)
            else:
                obj = cls()
            self.contexts[key] = obj
        return self.contexts

    def instantiate(self, cls: type[CtrlApp], name: str) -> CtrlApp:
        kwargs = {key: self.contexts[key] for key in cls._CONTEXTS}
        kwargs.update(self._app_kwargs(name))
        try:
            app = cls(**kwargs)
        except Exception as exc:
            raise AppLoadError(f"app {name} failed to start: {type(exc).__name__}: {exc}") from exc
        self._register(app)
        return app

    def _register(self, app: CtrlApp) -> None:
        app.manager = self
        self.applications[app.name] = app
        SERVICE_BRICKS[app.name] = app

    def instantiate_apps(self) -> dict[str, CtrlApp]:
        self.create_contexts()
        for name, cls in self.applications_cls.items():
            self.instantiate(cls, name)
        self.rebuild_observers()
        return self.applications

    def start_apps(self) -> None:
        for app in self.applications.values():
            app.start()

    # -- dispatch ---------------------------------------------------------------------------

    def rebuild_observers(self) -> None:
        table: dict[type, list[CtrlApp]] = {}
        for app in self.applications.values():
            for ev_cls in app.event_handlers:
                table.setdefault(ev_cls, []).append(app)
        self._observers = {k: tuple(v) for k, v in table.items()}

    def observers(self, ev_cls: type) -> tuple[CtrlApp, ...]:
        return self._observers.get(ev_cls, ())

    def dispatch(self, ev: Any, state: str | None = None, dp: Any = None) -> int:
        """Queue ``ev`` for every app that handles its class; return how many apps got it."""
        apps = self._observers.get(type(ev), ())
        for app in apps:
            if dp is not None:
                dp.event_queued()
            app.enqueue(ev, state, dp)
        return len(apps)

    @property
    def datapaths(self) -> dict[int, Any]:
        return self.controller.datapaths if self.controller is not None else {}

    def app_stats(self) -> dict[str, dict[str, float]]:
        """Per-app counters and queue depth, for monitoring."""
        return {
            name: {**app.counters.as_dict(), "queue_depth": app.queue_depth}
            for name, app in self.applications.items()
        }

    # -- shutdown ---------------------------------------------------------------------------

    def drain(self, timeout: float = 5.0) -> None:
        """Wait until every app has handled what is queued (at most ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(app.events.qsize() == 0 for app in self.applications.values()):
                return
            hub.sleep(0.01)

    def close(self) -> None:
        """Call every app's ``close()`` hook, then stop it; forget all apps."""
        for app in list(self.applications.values()):
            try:
                app.close()
            except Exception:
                LOG.exception("app %s: close() failed", app.name)
        for app in list(self.applications.values()):
            app.stop()
            SERVICE_BRICKS.pop(app.name, None)
        self.applications.clear()
        self._observers = {}
        if AppManager._instance is self:
            AppManager._instance = None
