# Installing antq (`cmake --install`) and its Debian package (`cpack -G DEB`, tools/package.sh).
#
# CPack's DEB generator rather than a debian/ directory and dpkg-buildpackage: the package is made from the very build
# tools/test.sh has built and tested (tests/tools/package_test.sh packages build/ and runs lintian on it), with no
# second build of the tree, which on CI's two cores would cost a quarter of an hour; and these install() rules are the
# one description of what the .deb installs (`cmake --install build --prefix /usr` installs the same; with another
# prefix the unit still goes to /lib/systemd/system and names /usr/bin/antq: the unit is for the package). What
# debhelper would have written for us is written by hand in packaging/ (postinst, prerm, postrm: the system user by
# systemd-sysusers, its state directory by systemd-tmpfiles, the unit's state by deb-systemd-helper and a restart on
# upgrade, as dh_installsysusers, dh_installtmpfiles and dh_installsystemd --no-enable --no-start write them).
# The documentation under the package's name (GNUInstallDirs would take the project's, antq_ledger).
set(CMAKE_INSTALL_DOCDIR share/doc/antq CACHE PATH "Documentation (DOCDIR)")
include(GNUInstallDirs)

install(TARGETS antq RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The rule profiles, as the program embeds them (antq profile shows the one in force): for archivists to read.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/projections/profiles/ DESTINATION ${CMAKE_INSTALL_DATADIR}/antq/profiles
        FILES_MATCHING PATTERN "*.json")
install(FILES ${CMAKE_SOURCE_DIR}/projections/profiles/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME profiles.md)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/antq.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME antq)
# Debian 12 keeps units in /lib/systemd/system (the /usr-merge moratorium); sysusers.d is under /usr/lib.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/antq-serve.service DESTINATION /lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/antq.sysusers DESTINATION lib/sysusers.d RENAME antq.conf)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/antq.tmpfiles DESTINATION lib/tmpfiles.d RENAME antq.conf)
# The README and what it links to, in the same layout, so that its links work where it is installed.
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/packaging/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
        FILES_MATCHING PATTERN "*.md" PATTERN "*.png")
install(FILES ${CMAKE_SOURCE_DIR}/ledger/FORMAT.md DESTINATION ${CMAKE_INSTALL_DOCDIR}/ledger)

# The manual pages (cmake/man_pages.cmake: help2man over antq --help), made after antq is linked.
find_program(ANTQ_HELP2MAN help2man)
if(ANTQ_HELP2MAN)
  set(ANTQ_MAN_STAMP ${CMAKE_BINARY_DIR}/man/made)
  add_custom_command(
    OUTPUT ${ANTQ_MAN_STAMP}
    COMMAND ${CMAKE_COMMAND} -DANTQ=$<TARGET_FILE:antq> -DHELP2MAN=${ANTQ_HELP2MAN} -DVERSION=${PROJECT_VERSION}
            -DOUTPUT_DIR=${CMAKE_BINARY_DIR}/man -DSOURCE_DIR=${CMAKE_SOURCE_DIR}
            -P ${CMAKE_SOURCE_DIR}/cmake/man_pages.cmake
    COMMAND ${CMAKE_COMMAND} -E touch ${ANTQ_MAN_STAMP}
    DEPENDS antq ${CMAKE_SOURCE_DIR}/cmake/man_pages.cmake
    COMMENT "Writing the manual pages (help2man)")
  add_custom_target(antq_man ALL DEPENDS ${ANTQ_MAN_STAMP})
  install(DIRECTORY ${CMAKE_BINARY_DIR}/man/man1 DESTINATION ${CMAKE_INSTALL_MANDIR} FILES_MATCHING PATTERN "*.1.gz")
  # In Vietnamese (man -L vi antq-verify, or under a Vietnamese locale): made when the locales package is there.
  install(DIRECTORY ${CMAKE_BINARY_DIR}/man/vi/man1 DESTINATION ${CMAKE_INSTALL_MANDIR}/vi OPTIONAL
          FILES_MATCHING PATTERN "*.1.gz")
else()
  message(STATUS "help2man not found: no manual pages (apt-get install help2man)")
endif()

# The changelog policy wants in every package; a native package's (its version has no Debian revision) is
# /usr/share/doc/antq/changelog.gz.
string(TIMESTAMP ANTQ_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
set(ANTQ_CHANGELOG ${CMAKE_BINARY_DIR}/packaging/changelog)
file(READ ${CMAKE_SOURCE_DIR}/packaging/changelog.in ANTQ_CHANGELOG_TEXT)
string(REPLACE "@VERSION@" "${PROJECT_VERSION}" ANTQ_CHANGELOG_TEXT "${ANTQ_CHANGELOG_TEXT}")
string(REPLACE "@DATE@" "${ANTQ_CHANGELOG_DATE}" ANTQ_CHANGELOG_TEXT "${ANTQ_CHANGELOG_TEXT}")
file(WRITE ${ANTQ_CHANGELOG} "${ANTQ_CHANGELOG_TEXT}")
add_custom_command(OUTPUT ${ANTQ_CHANGELOG}.gz COMMAND gzip -9nkf ${ANTQ_CHANGELOG} DEPENDS ${ANTQ_CHANGELOG})
add_custom_target(antq_changelog ALL DEPENDS ${ANTQ_CHANGELOG}.gz)
install(FILES ${ANTQ_CHANGELOG}.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME antq)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "antq-ledger maintainers <maintainers@antq-ledger.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "signed, append-only record of security-movement models and exemplars")
set(CPACK_PACKAGE_DESCRIPTION
    "antq-ledger keeps the record of the all-people national-security movement's
models and exemplars: every lifecycle act (survey approval, establishment,
yearly rating, replication, termination, recognition) is a digitally signed
event in an append-only log, checked against the province's rules before it is
admitted.
.
The antq program signs and admits acts, verifies the log (RFC 9162 Merkle
proofs, C2SP checkpoints, CMS signatures), prints dossiers, statistics, reports
and findings, applies retention rules, hands files over to archives as BagIt
bags, and serves the ledger over HTTPS with client certificates (antq serve,
its unit antq-serve.service). Messages in Vietnamese or English.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# systemd-sysusers makes the service's user (postinst), as dh_installsysusers would have it depend.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd | systemd-standalone-sysusers | systemd-sysusers")
# antq report --format pdf prints with Chromium, in Liberation Serif (Times New Roman's metrics): docs/report.md.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "chromium, fonts-liberation2")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/postinst ${CMAKE_SOURCE_DIR}/packaging/prerm ${CMAKE_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
