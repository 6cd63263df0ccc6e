"""The main window: a navigation list, one panel per section, menus and a status line."""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Protocol, cast

from PySide6.QtCore import QPoint, QRect, QSize, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMenuBar,
    QStackedWidget,
    QWidget,
)

from ui.change_bus import ChangeBus, Freshness
from ui.editor.editors import Editors
from ui.memory import set_aside_what_is_loaded
from ui.prompts import Prompts
from ui.settings import app_settings

if TYPE_CHECKING:
    from observer.records.recording import ObservationSummary
    from observer.services import Services
    from ui.dialogs.import_bundle import BundleImport
    from ui.panels.actions import ActionsPanel
    from ui.panels.observations import ObservationsPanel
    from ui.panels.search import SearchPanel
    from ui.panels.service import ServicePanel
    from ui.panels.team import TeamPanel
    from ui.panels.workers import WorkersPanel
    from ui.worker_page import WorkerPage

APP_NAME = "Practice Observer"
SAMPLE_TITLE = "Sample data"
SAMPLE_STATUS = "Sample data: fictional records; everything exported says SAMPLE"
SAMPLE_STYLE = "color: white; background: #B3261E; padding: 2px 8px; font-weight: bold;"
SECTIONS = ("Workers", "Observations", "Actions", "Search", "Team", "Service")
WORKERS, OBSERVATIONS, ACTIONS, SEARCH, TEAM, SERVICE = range(len(SECTIONS))
SETTLE_AFTER_MS = 250
GEOMETRY_KEY = "main_window/geometry"
SECTION_KEY = "main_window/section"
SMALL_SCREEN = QSize(1440, 900)  # at most this much room: the window opens maximised
SCREEN_SHARE = 0.9  # of a larger screen's room, on first opening


def first_placement(available: QRect) -> tuple[QRect, bool]:
    """Where the window first opens on a screen with `available` room, and whether
    maximised: a small screen (a 1366×768 laptop) is used whole, a larger one mostly,
    the window in its middle. Tables need the width: at a fixed size they cut columns."""
    if available.width() <= SMALL_SCREEN.width() or available.height() <= SMALL_SCREEN.height():
        return QRect(available), True
    size = QSize(int(available.width() * SCREEN_SHARE), int(available.height() * SCREEN_SHARE))
    placed = QRect(QPoint(0, 0), size)
    placed.moveCenter(available.center())
    return placed, False


class Panel(Protocol):
    search: QLineEdit
    freshness: Freshness


def tools_menu(bar: QMenuBar) -> QMenu:
    """The "&Tools" menu, made the first time something asks for it."""
    for action in bar.actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and menu.title() == "&Tools":
            return menu
    return bar.addMenu("&Tools")


class MainWindow(QMainWindow):
    first_data_loaded = Signal()
    closed = Signal()  # the window agreed to close: the app is about to quit

    def __init__(self, services: Services, prompts: Prompts, parent: QWidget | None = None):
        super().__init__(parent)
        self._services = services
        self._prompts = prompts
        self.data_loaded = False
        # What the store changed, for the panels to follow; it stops listening with the window.
        self.changes = ChangeBus(services.changes, self)

        self.navigation = QListWidget()
        self.navigation.setAccessibleName("Sections")
        self.navigation.setFrameShape(QFrame.Shape.NoFrame)
        self.navigation.setStyleSheet("QListWidget::item { padding-left: 12px; }")
        self.stack = QStackedWidget()
        self._made: dict[int, QWidget] = {}  # the panels made so far, by section
        self._worker_page: WorkerPage | None = None  # made when first wanted (_settle)
        self.bundle_import: BundleImport | None = None  # made when first wanted
        self.editors = Editors(services, prompts, self)
        line = self.fontMetrics().height()
        for title in SECTIONS:
            item = QListWidgetItem(title)
            item.setSizeHint(QSize(0, int(line * 2.2)))
            item.setToolTip(f"Show {title.lower()}")
            self.navigation.addItem(item)
            self.stack.addWidget(QWidget())  # until the section is first shown (_panel)
        self.navigation.setFixedWidth(self.fontMetrics().averageCharWidth() * 18)
        self.navigation.currentRowChanged.connect(self._show_panel)
        self.navigation.itemClicked.connect(self._section_clicked)
        self._filling = False  # panels stay empty until load_data, so the window paints first

        divider = QFrame()
        divider.setFrameShape(QFrame.Shape.VLine)
        divider.setFrameShadow(QFrame.Shadow.Sunken)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(divider)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.user_label = QLabel()
        self.user_label.setAccessibleName("Signed-in user")
        self.user_label.setContentsMargins(0, 0, 8, 0)  # off the edge when maximised
        self.sample_label = QLabel(SAMPLE_STATUS)
        self.sample_label.setAccessibleName("Sample data")
        self.sample_label.setStyleSheet(SAMPLE_STYLE)
        self.sample_label.hide()
        self.statusBar().addPermanentWidget(self.sample_label)
        self.statusBar().addPermanentWidget(self.user_label)
        self._build_menus(list(SECTIONS))
        self.refresh_profile()
        self._restore_state()

    @property
    def workers_panel(self) -> WorkersPanel:
        return cast("WorkersPanel", self._panel(WORKERS))

    @property
    def observations_panel(self) -> ObservationsPanel:
        return cast("ObservationsPanel", self._panel(OBSERVATIONS))

    @property
    def actions_panel(self) -> ActionsPanel:
        return cast("ActionsPanel", self._panel(ACTIONS))

    @property
    def search_panel(self) -> SearchPanel:
        return cast("SearchPanel", self._panel(SEARCH))

    @property
    def team_panel(self) -> TeamPanel:
        return cast("TeamPanel", self._panel(TEAM))

    @property
    def service_panel(self) -> ServicePanel:
        return cast("ServicePanel", self._panel(SERVICE))

    def laptops_synced(self) -> None:
        """A sync has finished: the team overview, if made, reads its laptops' line again."""
        team = self._made.get(TEAM)
        line = None if team is None else cast("TeamPanel", team).laptops
        if line is not None:
            line.read()

    def _panel(self, section: int) -> QWidget:
        """The section's panel, made the first time it is wanted: start-up makes only the
        one in view."""
        panel = self._made.get(section)
        if panel is None:
            panel = self._make_panel(section)
            placeholder = self.stack.widget(section)
            showing = self.stack.currentIndex() == section
            self.stack.insertWidget(section, panel)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self._made[section] = panel
            if self._filling:
                cast("Panel", panel).freshness.mark_stale()  # loads as it comes into view
            if showing:
                self.stack.setCurrentIndex(section)
        return panel

    def _make_panel(self, section: int) -> QWidget:
        """Made inside the stack: a panel made as a window of its own and then moved in
        would take the focus from the main window."""
        services, prompts, changes = self._services, self._prompts, self.changes
        if section == WORKERS:
            from ui.panels.workers import WorkersPanel

            workers = WorkersPanel(services.people, prompts, self.stack, changes=changes)
            workers.worker_requested.connect(self.open_worker)
            return workers
        if section == OBSERVATIONS:
            from ui.panels.observations import ObservationsPanel

            observations = ObservationsPanel(
                services.recording, services.people, prompts, self.stack, changes=changes
            )
            observations.new_requested.connect(self.new_observation)
            observations.open_requested.connect(self.editors.open)
            observations.duplicate_requested.connect(self.editors.duplicate)
            observations.release = self.editors.release
            observations.export_requested.connect(self.export_summaries)
            return observations
        if section == ACTIONS:
            from ui.panels.actions import ActionsPanel

            return ActionsPanel(
                services.actions, prompts, services.actor, parent=self.stack, changes=changes
            )
        if section == SEARCH:
            from ui.panels.search import SearchPanel

            found = SearchPanel(services.search.find, self.stack, changes=changes)
            found.open_requested.connect(self.editors.open)
            return found
        if section == SERVICE:
            from ui.panels.board_report import BoardReportTab
            from ui.panels.service import ServicePanel

            themes = services.themes
            service = ServicePanel(
                services.service_view,
                parent=self.stack,
                themes=themes.for_figures,
                changes=changes,
            )
            service.open_requested.connect(self.editors.open)
            service.add_board_report(
                BoardReportTab(
                    services.commentaries, services.board_reports, services.actor, prompts
                )
            )
            return service
        from ui.panels.team import TeamPanel

        team = TeamPanel(
            services.team_overview,
            services.review_settings,
            services.people,
            parent=self.stack,
            changes=changes,
            laptops=lambda: services.sync.laptops(),
            user=self._user_id,
        )
        team.worker_requested.connect(self.open_worker)
        return team

    def _show_panel(self, section: int) -> None:
        if 0 <= section < len(SECTIONS):
            self._panel(section)
        self.stack.setCurrentIndex(section)

    @property
    def worker_page(self) -> WorkerPage:
        """The page of one worker, opened from a list; not a section of its own. Made the
        first time it is wanted, so start-up does not pay for its charts."""
        if self._worker_page is None:
            from ui.worker_page import WorkerPage

            page = WorkerPage(self._services, self._prompts, changes=self.changes)
            page.open_requested.connect(self.editors.open)
            page.back_requested.connect(self.leave_worker_page)
            self.stack.addWidget(page)
            self._worker_page = page
        return self._worker_page

    def change_passphrase(self) -> None:
        from ui.dialogs.change_passphrase import ChangePassphraseDialog

        if self.editors.save_all():
            self._prompts.warning(
                self, "An open record could not be saved just now; try again in a moment."
            )
            return
        ChangePassphraseDialog.change(self, self._services, self._prompts)

    def _build_menus(self, titles: list[str]) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.file_menu = file_menu
        self.new_observation_action = QAction("&New observation…", self)
        self.new_observation_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_observation_action.triggered.connect(self.new_observation)
        file_menu.addAction(self.new_observation_action)
        self.verify_action = QAction("&Verify a summary…", self)
        self.verify_action.triggered.connect(self.verify_summary)
        file_menu.addAction(self.verify_action)
        self.import_bundle_action = QAction("&Import records from a bundle…", self)
        self.import_bundle_action.setStatusTip(
            "Add the records of a bundle exported on another laptop; one changed on both is merged"
        )
        self.import_bundle_action.triggered.connect(self.import_bundle)
        file_menu.addAction(self.import_bundle_action)
        file_menu.addSeparator()
        self.profile_action = QAction("P&rofile…", self)
        self.profile_action.setStatusTip(
            "Correct your name, role or organisation, or hand the laptop to someone else"
        )
        self.profile_action.triggered.connect(self.edit_profile)
        file_menu.addAction(self.profile_action)
        self.change_passphrase_action = QAction("Change &passphrase…", self)
        self.change_passphrase_action.triggered.connect(self.change_passphrase)
        file_menu.addAction(self.change_passphrase_action)
        # Works from every window (editors too); ui.lock.AppLock connects it.
        self.lock_action = QAction("&Lock", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.setStatusTip("Hide every window until the passphrase is typed")
        file_menu.addAction(self.lock_action)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        self.find_action = QAction("&Search observations…", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_action.setStatusTip("Find words anywhere in the observations")
        self.find_action.triggered.connect(self.search_observations)
        edit_menu.addAction(self.find_action)
        self.filter_action = QAction("&Filter this list", self)
        self.filter_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.filter_action.triggered.connect(self.find)
        edit_menu.addAction(self.filter_action)

        view_menu = bar.addMenu("&View")
        self.section_actions: list[QAction] = []
        for number, title in enumerate(titles):
            action = QAction(f"&{title}", self)
            action.setShortcut(QKeySequence(f"Ctrl+{number + 1}"))
            action.triggered.connect(lambda _checked=False, n=number: self.show_section(n))
            view_menu.addAction(action)
            self.section_actions.append(action)

        people_menu = bar.addMenu("&People")
        self.add_person_action = QAction("&Add person…", self)
        self.add_person_action.triggered.connect(self.add_person)
        self.teams_action = QAction("&Teams…", self)
        self.teams_action.triggered.connect(self.manage_teams)
        self.merge_people_action = QAction("&Merge duplicates…", self)
        self.merge_people_action.triggered.connect(self.merge_people)
        people_menu.addAction(self.add_person_action)
        people_menu.addAction(self.teams_action)
        people_menu.addAction(self.merge_people_action)

        self.retention_action = QAction("&Retention policy…", self)
        self.retention_action.triggered.connect(self.manage_retention)
        tools_menu(bar).addAction(self.retention_action)

        self.review_settings_action = QAction("Re&view settings…", self)
        self.review_settings_action.setStatusTip(
            "How many direct observations the ASYE year needs; how often to observe each worker"
        )
        self.review_settings_action.triggered.connect(self.edit_review_settings)
        tools_menu(bar).addAction(self.review_settings_action)

        self.moderation_action = QAction("&Moderation…", self)
        self.moderation_action.setStatusTip(
            "Draw a sample of signed observations, moderate them blind, see the agreement"
        )
        self.moderation_action.triggered.connect(self.moderate)
        tools_menu(bar).addAction(self.moderation_action)

        self.audit_trail_action = QAction("&Audit trail…", self)
        self.audit_trail_action.triggered.connect(self.show_audit_trail)
        tools_menu(bar).addAction(self.audit_trail_action)

        help_menu = bar.addMenu("&Help")
        self.guide_action = QAction("&Getting started", self)
        self.guide_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.guide_action.setStatusTip(
            "A short guide: recording, sign-off, summaries, locking, backups"
        )
        self.guide_action.triggered.connect(self.show_guide)
        help_menu.addAction(self.guide_action)
        self.about_action = QAction("&About Practice Observer", self)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)

    def load_data(self) -> None:
        """Fills the panel in view from the store, and the others when they come into view;
        the first time, says so with first_data_loaded."""
        self.refresh_profile()
        self._filling = True
        for panel in self._made.values():
            cast("Panel", panel).freshness.mark_stale()  # the one in view loads now
        if not self.data_loaded:
            self.data_loaded = True
            self.editors.reopen_left_open()
            # What start-up loaded lives as long as the app; it made next to no garbage
            # (a few hundred objects), not worth a full collection of everything now.
            set_aside_what_is_loaded("the window", collect_first=False)
            self.first_data_loaded.emit()
            # A moment later, once the user has the window: not after the window is gone.
            QTimer.singleShot(SETTLE_AFTER_MS, self, self._settle)

    def _settle(self) -> None:
        """Once the window is filled, the worker page, which start-up did not wait for, is
        made ready, so that a manager's first click on a worker need not wait for it
        either, and the team overview is read on the thread pool, so that the Team
        section's first opening need not wait for the store; what that loaded, which
        lives as long as the app, is then set out of the collector's way too."""
        _ = self.worker_page
        if TEAM not in self._made:
            from ui.panels.team import read_ahead

            overview, today = self._services.team_overview, date.today()
            QThreadPool.globalInstance().start(lambda: read_ahead(overview, today))
        set_aside_what_is_loaded("the worker page")

    def _user_id(self) -> uuid.UUID | None:
        """This laptop's user (read off the GUI thread too: the team overview's loader)."""
        profile = self._services.profiles.current()
        return None if profile is None else profile.person_id

    def refresh_profile(self) -> None:
        profile = self._services.profiles.current()
        sample = self._services.sample_data.held()
        # Ending with the app's name, which Qt would otherwise add a second time.
        title = f"{SAMPLE_TITLE} — {APP_NAME}" if sample else APP_NAME
        self.sample_label.setVisible(sample)
        if profile is None:
            self.setWindowTitle(title)
            self.user_label.setText("No user set up on this laptop yet")
            return
        self.setWindowTitle(f"{profile.organisation} — {title}")
        self.user_label.setText(f"{profile.name}, {profile.role.label} · {profile.organisation}")

    def edit_profile(self) -> None:
        from ui.dialogs.profile import ProfileDialog

        if self._services.profiles.current() is None:
            return
        if ProfileDialog.edit(self, self._services.profiles, self._prompts):
            self.refresh_profile()

    def merge_people(self) -> None:
        from ui.dialogs.merge_people import MergePeopleDialog

        services = self._services
        MergePeopleDialog.merge(self, services.people, services.duplicates, self._prompts)

    def show_section(self, number: int) -> None:
        self.navigation.setCurrentRow(number)
        self._show_panel(number)  # also from the worker page, opened from it

    def current_section(self) -> int:
        """The section chosen in the navigation (the worker page belongs to the one it was
        opened from)."""
        row = self.navigation.currentRow()
        return row if row >= 0 else self.stack.currentIndex()

    def open_worker(self, person_id: uuid.UUID) -> None:
        """Shows the worker page of `person_id`; Back returns to the section it came from."""
        section = self.navigation.item(self.current_section())
        if section is not None:
            self.worker_page.back_button.setText(f"‹ &Back to {section.text()}")
            self.worker_page.back_button.setAccessibleName(f"Back to {section.text()}")
        self.worker_page.show_worker(person_id)
        self.stack.setCurrentWidget(self.worker_page)
        self.worker_page.setFocus()

    def leave_worker_page(self) -> None:
        self.show_section(self.current_section())

    def showing_worker_page(self) -> bool:
        return self._worker_page is not None and self.stack.currentWidget() is self._worker_page

    def _section_clicked(self, item: QListWidgetItem) -> None:
        """A click on the section already chosen leaves the worker page opened from it."""
        if self.showing_worker_page():
            self.leave_worker_page()

    def add_person(self) -> None:
        self.show_section(0)
        self.workers_panel.add_person()

    def manage_teams(self) -> None:
        from ui.dialogs.teams import TeamsDialog

        TeamsDialog.manage(self, self._services.people, self._prompts)

    def manage_retention(self) -> None:
        from ui.dialogs.retention import RetentionDialog

        RetentionDialog.manage(self, self._services, self._prompts)

    def moderate(self) -> None:
        from ui.dialogs.moderation import ModerationDialog

        ModerationDialog.manage(self, self._services, self._prompts)

    def edit_review_settings(self) -> None:
        from ui.dialogs.review_settings import ReviewSettingsDialog

        ReviewSettingsDialog.edit(self, self._services, self._prompts)

    def show_guide(self) -> None:
        from ui.dialogs.guide import GuideDialog

        GuideDialog.show_guide(self)

    def show_about(self) -> None:
        from ui.dialogs.about import AboutDialog

        AboutDialog.show_about(self, self._services.data_dir)

    def new_observation(self) -> None:
        self.editors.start_new()

    def export_summaries(self, records: list[ObservationSummary]) -> None:
        from ui.dialogs.export_summaries import ExportSummariesDialog

        ExportSummariesDialog.export(self, self._services.summaries, self._prompts, records)

    def verify_summary(self) -> None:
        from ui.dialogs.verify_summary import VerifySummaryDialog

        VerifySummaryDialog.verify(self, self._services, self._prompts)

    def import_bundle(self) -> None:
        from ui.dialogs.import_bundle import BundleImport

        if self.bundle_import is None:
            self.bundle_import = BundleImport(
                self,
                self._services,
                self._prompts,
                self.import_bundle_action,
                self.editors.catch_up,
            )
            # A bundle of fictional records makes this a sample store: the banner says so.
            self.bundle_import.imported.connect(self.refresh_profile)
        self.bundle_import.start()

    def show_audit_trail(self) -> None:
        from ui.dialogs.audit_trail import AuditTrailDialog

        AuditTrailDialog.show_trail(self, self._services.audit, self._prompts)

    def search_observations(self) -> None:
        """Goes to the search box of the Search section, what was typed there selected."""
        self.show_section(SEARCH)
        self.search_panel.search.setFocus()
        self.search_panel.search.selectAll()

    def find(self) -> None:
        """Goes to the find box of the section in view, which filters its list."""
        if self.showing_worker_page():
            self.worker_page.filters.kind.setFocus()
            return
        search = cast("Panel", self._panel(self.current_section())).search
        search.setFocus()
        search.selectAll()

    def _restore_state(self) -> None:
        settings = app_settings()
        geometry = settings.value(GEOMETRY_KEY)
        if not geometry or not self.restoreGeometry(geometry):
            screen = self.screen() or QGuiApplication.primaryScreen()
            placed, maximised = first_placement(screen.availableGeometry())
            self.setGeometry(placed)
            if maximised:
                self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        section = settings.value(SECTION_KEY, 0, type=int)
        if not isinstance(section, int) or not 0 <= section < self.stack.count():
            section = 0
        self.show_section(section)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.editors.close_all():
            event.ignore()
            return
        settings = app_settings()
        settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        settings.setValue(SECTION_KEY, self.current_section())
        super().closeEvent(event)
        self.closed.emit()
