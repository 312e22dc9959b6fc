package io.muster.interop;

import io.muster.readiness.domain.BedType;
import io.muster.readiness.domain.FacilityReadiness;
import io.muster.readiness.domain.FacilityReadiness.Beds;
import io.muster.readiness.domain.FacilityReadiness.SystemState;
import io.muster.readiness.domain.FacilityReadiness.Value;
import java.io.StringWriter;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes facilities' readiness boards as an OASIS EDXL-HAVE 1.0 (Hospital AVailability Exchange)
 * {@code HospitalStatus} document: one {@code Hospital} per facility.
 *
 * <p>Mapping, element by element (the schema fixes the order):
 * <ul>
 *   <li>{@code Organization/OrganizationInformation}: a CIQ {@code xnl:OrganisationName} whose
 *       {@code xnl:OrganisationID} is the facility id and whose {@code NameElement} is the facility
 *       name (the id when there is no name).</li>
 *   <li>{@code EmergencyDepartmentStatus/EMSTraffic}: {@code EMSTrafficStatus} from emsTraffic
 *       (open→Normal, advisory→Advisory, closed→Closed); a clinic or nursing home that reports
 *       neither EMS traffic nor an ED status says NotApplicable ("does not have an emergency
 *       department"). HAVE 1.0 has no ED-status or diversion element, so an ED status other than
 *       normal goes into {@code EMSTrafficReason} ("ED status: diversion").</li>
 *   <li>{@code HospitalBedCapacityStatus}: one {@code BedCapacity} per bed type on the board, with
 *       {@link BedType#haveName()} as {@code BedType} when HAVE 1.0 enumerates it. Psychiatric is
 *       not in the 1.0 enumeration (it has AdultPsychiatric and PediatricPsychiatric) and is sent
 *       as AdultPsychiatric with a comment saying so; a type HAVE has no bed type for at all
 *       (ventilators) is sent as {@code HospitalResourcesStatus/ResourcesInformationText}.
 *       {@code AvailableCount} is staffedAvailable (HAvBED counts a bed available only if it is
 *       staffed), {@code BaselineCount} the baseline, {@code CapacityStatus} Vacant/Available when
 *       at least one staffed bed is free, else NotAvailable.</li>
 *   <li>{@code ServiceCoverageStatus/EmergencyDepartment}: false when the ED status is closed, true
 *       for any other ED status; absent when no ED status is reported.</li>
 *   <li>{@code HospitalFacilityStatus/FacilityStatus}: normal→Normal, limited→Compromised,
 *       evacuating→Evacuating, closed→Closed; every critical system that is not up becomes a
 *       {@code CommentText} ("power: down - generator on fuel reserve").</li>
 *   <li>{@code HospitalResourcesStatus/ResourcesInformationText}: one line per supply
 *       ("ppe-days: 3") and per non-HAVE bed type.</li>
 *   <li>{@code LastUpdateTime}: the board's updatedAt, or {@code now} when the board has none.</li>
 * </ul>
 * Values marked overdue get a comment naming when they were last set. Optional sections with
 * nothing to say are left out. Text is written through {@link XMLStreamWriter}, which escapes
 * markup; characters XML 1.0 cannot carry at all (control characters) are dropped.
 */
public final class HaveDocument {
  public static final String HAVE_NS = "urn:oasis:names:tc:emergency:EDXL:HAVE:1.0";
  public static final String XNL_NS = "urn:oasis:names:tc:ciq:xnl:3";

  /** The BedType enumeration of the EDXL-HAVE 1.0 schema (HospitalBedCapacityStatus/BedCapacity). */
  static final Set<String> HAVE_BED_TYPES = Set.of("AdultICU", "PediatricICU", "NeonatalICU",
      "EmergencyDepartment", "NurseryBeds", "MedicalSurgical", "RehabLongTermCare", "Burn", "Pediatrics",
      "AdultPsychiatric", "PediatricPsychiatric", "NegativeFlowIsolation", "OtherIsolation", "OperatingRooms");

  /** Names HAvBED uses that HAVE 1.0 splits; sent as the HAVE type named here, with a comment. */
  private static final Map<String, String> HAVE_BED_TYPE_FALLBACK = Map.of("Psychiatric", "AdultPsychiatric");

  private static final Map<String, String> EMS_TRAFFIC = Map.of(
      "open", "Normal", "advisory", "Advisory", "closed", "Closed");

  private static final Map<String, String> FACILITY_STATUS = Map.of(
      "normal", "Normal", "limited", "Compromised", "evacuating", "Evacuating", "closed", "Closed");

  private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ISO_INSTANT;

  private HaveDocument() { }

  /** One facility as a HospitalStatus document; see {@link #toXml(List, Instant)}. */
  public static String toXml(FacilityReadiness facility, Instant now) {
    return toXml(List.of(Objects.requireNonNull(facility, "facility")), now);
  }

  /**
   * The facilities as one HospitalStatus document, in the order given. The text declares UTF-8:
   * encode it as UTF-8 when sending it.
   *
   * @throws IllegalArgumentException if there are no facilities: HAVE needs at least one Hospital
   */
  public static String toXml(List<FacilityReadiness> facilities, Instant now) {
    Objects.requireNonNull(facilities, "facilities");
    Objects.requireNonNull(now, "now");
    if (facilities.isEmpty()) {
      throw new IllegalArgumentException("an EDXL-HAVE HospitalStatus needs at least one facility");
    }
    StringWriter out = new StringWriter();
    try {
      // The JDK's own StAX writer, whichever implementation (e.g. Woodstox) is on the classpath.
      XMLStreamWriter w = XMLOutputFactory.newDefaultFactory().createXMLStreamWriter(out);
      w.writeStartDocument("UTF-8", "1.0");
      w.setPrefix("have", HAVE_NS);
      w.setPrefix("xnl", XNL_NS);
      w.writeStartElement("have", "HospitalStatus", HAVE_NS);
      w.writeNamespace("have", HAVE_NS);
      w.writeNamespace("xnl", XNL_NS);
      for (FacilityReadiness facility : facilities) {
        writeHospital(w, Objects.requireNonNull(facility, "facility"), now);
      }
      w.writeEndElement();
      w.writeEndDocument();
      w.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("could not write the EDXL-HAVE document", e);
    }
    return out.toString();
  }

  private static void writeHospital(XMLStreamWriter w, FacilityReadiness f, Instant now)
      throws XMLStreamException {
    start(w, "Hospital");
    writeOrganization(w, f);
    writeEmergencyDepartment(w, f);
    List<String> resourceLines = new ArrayList<>();
    writeBeds(w, f, resourceLines);
    writeServiceCoverage(w, f);
    writeFacilityStatus(w, f);
    writeResources(w, f, resourceLines);
    text(w, "LastUpdateTime", time(f.updatedAt() != null ? f.updatedAt() : now));
    w.writeEndElement();
  }

  private static void writeOrganization(XMLStreamWriter w, FacilityReadiness f) throws XMLStreamException {
    start(w, "Organization");
    start(w, "OrganizationInformation");
    w.writeStartElement("xnl", "OrganisationName", XNL_NS);
    if (present(f.facilityId())) {
      w.writeAttribute("xnl", XNL_NS, "OrganisationID", clean(f.facilityId()));
    }
    w.writeStartElement("xnl", "NameElement", XNL_NS);
    w.writeAttribute("xnl", XNL_NS, "ElementType", "FullName");
    w.writeCharacters(clean(present(f.facilityName()) ? f.facilityName() : f.facilityId()));
    w.writeEndElement();
    w.writeEndElement();
    w.writeEndElement();
    w.writeEndElement();
  }

  private static void writeEmergencyDepartment(XMLStreamWriter w, FacilityReadiness f) throws XMLStreamException {
    String ems = value(f.emsTraffic());
    String ed = value(f.edStatus());
    String status;
    if (ems != null) {
      status = EMS_TRAFFIC.get(ems.toLowerCase(Locale.ROOT));
    } else if (ed == null && !"hospital".equalsIgnoreCase(f.facilityType())) {
      status = "NotApplicable";
    } else {
      status = null;
    }
    String reason = ed != null && !"normal".equalsIgnoreCase(ed) ? "ED status: " + ed : null;
    List<String> comments = new ArrayList<>();
    if (ems != null && status == null) {
      comments.add("EMS traffic: " + ems);
    }
    overdue(comments, "EMS traffic", f.emsTraffic());
    overdue(comments, "ED status", f.edStatus());
    if (status == null && reason == null && comments.isEmpty()) {
      return;
    }
    start(w, "EmergencyDepartmentStatus");
    start(w, "EMSTraffic");
    if (status != null) {
      text(w, "EMSTrafficStatus", status);
    }
    if (reason != null) {
      text(w, "EMSTrafficReason", reason);
    }
    if (!comments.isEmpty()) {
      text(w, "CommentText", String.join("; ", comments)); // EMSTraffic allows one CommentText
    }
    w.writeEndElement();
    w.writeEndElement();
  }

  private static void writeBeds(XMLStreamWriter w, FacilityReadiness f, List<String> resourceLines)
      throws XMLStreamException {
    Map<BedType, Beds> beds = new EnumMap<>(BedType.class); // the enum's order, whatever the map's
    if (f.beds() != null) {
      f.beds().forEach((type, b) -> {
        if (type != null && b != null) {
          beds.put(type, b);
        }
      });
    }
    boolean open = false;
    for (Map.Entry<BedType, Beds> e : beds.entrySet()) {
      BedType type = e.getKey();
      Beds b = e.getValue();
      String name = type.haveName();
      String haveType = HAVE_BED_TYPES.contains(name) ? name : HAVE_BED_TYPE_FALLBACK.get(name);
      if (haveType == null) {
        resourceLines.add(name + ": " + Math.max(0, b.staffedAvailable()) + " available (staffed) of "
            + b.baseline() + " baseline" + (b.overdue() ? overdueNote(b.setBy(), b.setAt()) : ""));
        continue;
      }
      if (!open) {
        start(w, "HospitalBedCapacityStatus");
        open = true;
      }
      int available = Math.max(0, b.staffedAvailable());
      start(w, "BedCapacity");
      text(w, "BedType", haveType);
      start(w, "Capacity");
      text(w, "CapacityStatus", available > 0 ? "Vacant/Available" : "NotAvailable");
      text(w, "AvailableCount", Integer.toString(available));
      text(w, "BaselineCount", Integer.toString(Math.max(0, b.baseline())));
      w.writeEndElement();
      if (!haveType.equals(name)) {
        text(w, "CommentText", "Reported as " + name + "; adult and pediatric beds are not told apart");
      }
      if (b.overdue()) {
        text(w, "CommentText", "Bed count" + overdueNote(b.setBy(), b.setAt()));
      }
      w.writeEndElement();
    }
    if (open) {
      w.writeEndElement();
    }
  }

  private static void writeServiceCoverage(XMLStreamWriter w, FacilityReadiness f) throws XMLStreamException {
    String ed = value(f.edStatus());
    if (ed == null) {
      return;
    }
    start(w, "ServiceCoverageStatus");
    text(w, "EmergencyDepartment", Boolean.toString(!"closed".equalsIgnoreCase(ed)));
    w.writeEndElement();
  }

  private static void writeFacilityStatus(XMLStreamWriter w, FacilityReadiness f) throws XMLStreamException {
    String raw = value(f.facilityStatus());
    String status = raw == null ? null : FACILITY_STATUS.get(raw.toLowerCase(Locale.ROOT));
    List<String> comments = new ArrayList<>();
    if (raw != null && status == null) {
      comments.add("Facility status: " + raw);
    }
    overdue(comments, "Facility status", f.facilityStatus());
    if (f.systems() != null) {
      for (Map.Entry<String, SystemState> e : new TreeMap<>(f.systems()).entrySet()) {
        SystemState s = e.getValue();
        if (s == null || s.state() == null || "up".equalsIgnoreCase(s.state())) {
          continue;
        }
        comments.add(e.getKey() + ": " + s.state() + (present(s.note()) ? " - " + s.note() : "")
            + (s.overdue() ? overdueNote(s.setBy(), s.setAt()) : ""));
      }
    }
    if (status == null && comments.isEmpty()) {
      return;
    }
    start(w, "HospitalFacilityStatus");
    if (status != null) {
      text(w, "FacilityStatus", status);
    }
    for (String comment : comments) {
      text(w, "CommentText", comment);
    }
    w.writeEndElement();
  }

  private static void writeResources(XMLStreamWriter w, FacilityReadiness f, List<String> resourceLines)
      throws XMLStreamException {
    List<String> lines = new ArrayList<>(resourceLines);
    if (f.supplies() != null) {
      for (Map.Entry<String, Value> e : new TreeMap<>(f.supplies()).entrySet()) {
        Value v = e.getValue();
        if (v == null || v.value() == null) {
          continue;
        }
        lines.add(e.getKey() + ": " + v.value() + (v.overdue() ? overdueNote(v.setBy(), v.setAt()) : ""));
      }
    }
    if (lines.isEmpty()) {
      return;
    }
    start(w, "HospitalResourcesStatus");
    for (String line : lines) {
      text(w, "ResourcesInformationText", line);
    }
    w.writeEndElement();
  }

  private static void overdue(List<String> comments, String what, Value v) {
    if (v != null && v.value() != null && v.overdue()) {
      comments.add(what + " " + v.value().strip() + overdueNote(v.setBy(), v.setAt()));
    }
  }

  private static String overdueNote(String setBy, Instant setAt) {
    StringBuilder s = new StringBuilder(" (overdue");
    if (setAt != null) {
      s.append(": last set ").append(time(setAt));
    }
    if (present(setBy)) {
      s.append(" by ").append(setBy);
    }
    return s.append(')').toString();
  }

  private static void start(XMLStreamWriter w, String name) throws XMLStreamException {
    w.writeStartElement("have", name, HAVE_NS);
  }

  private static void text(XMLStreamWriter w, String name, String text) throws XMLStreamException {
    start(w, name);
    w.writeCharacters(clean(text));
    w.writeEndElement();
  }

  private static String value(Value v) {
    return v == null || !present(v.value()) ? null : v.value().strip();
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }

  private static String time(Instant t) {
    return DATE_TIME.format(t.truncatedTo(ChronoUnit.MILLIS));
  }

  /** Drops what XML 1.0 cannot carry (C0 controls but tab/LF/CR, U+FFFE/FFFF, lone surrogates). */
  static String clean(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      boolean ok = cp == 0x9 || cp == 0xA || cp == 0xD
          || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
      if (ok) {
        out.appendCodePoint(cp);
      }
    }
    return out.toString();
  }
}
