package io.muster.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.readiness.domain.BedType;
import io.muster.readiness.domain.FacilityReadiness;
import io.muster.readiness.domain.FacilityReadiness.Beds;
import io.muster.readiness.domain.FacilityReadiness.SystemState;
import io.muster.readiness.domain.FacilityReadiness.Value;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.net.URL;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.namespace.NamespaceContext;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.w3c.dom.ls.LSInput;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;

/**
 * HaveDocument output validated against the OASIS EDXL-HAVE 1.0 schema and the CIQ / GML schemas
 * it imports, all loaded from src/test/resources/edxl-have (see the README there). Nothing is
 * fetched from the network: every import goes through a resolver that only serves that folder.
 */
class HaveDocumentTest {
  private static final String SCHEMA_DIR = "/edxl-have/";
  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
  private static final Instant EARLIER = Instant.parse("2025-03-01T11:40:00Z");

  private static final Set<String> RESOLVED = new LinkedHashSet<>();
  private static Schema schema;

  @BeforeAll
  static void loadSchema() throws Exception {
    SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
    factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "file,jar"); // never http
    factory.setResourceResolver((type, namespace, publicId, systemId, baseUri) -> classpathInput(systemId, baseUri));
    URL root = HaveDocumentTest.class.getResource(SCHEMA_DIR + "edxl-have.xsd");
    assertThat(root).as("edxl-have.xsd on the test classpath").isNotNull();
    try (InputStream in = root.openStream()) {
      schema = factory.newSchema(new StreamSource(in, root.toExternalForm()));
    }
  }

  /** Serves an imported or included schema from the classpath folder, by file name; anything else fails. */
  private static LSInput classpathInput(String systemId, String baseUri) {
    if (systemId == null) {
      throw new IllegalStateException("schema import without a schemaLocation (base " + baseUri + ")");
    }
    String name = systemId.substring(systemId.lastIndexOf('/') + 1);
    URL url = HaveDocumentTest.class.getResource(SCHEMA_DIR + name);
    if (url == null) {
      throw new IllegalStateException("schema " + systemId + " (from " + baseUri + ") is not in " + SCHEMA_DIR);
    }
    RESOLVED.add(name);
    return new ClasspathInput(url);
  }

  // ---------------------------------------------------------------- the schema set itself

  @Test
  @DisplayName("the schema's imports (CIQ xPIL/xNL/xAL, geo-oasis, GML, xlink) are all served from the classpath")
  void schemaImportsComeFromTheClasspathFolder() {
    assertThat(RESOLVED).contains("xPIL.xsd", "xPIL-types.xsd", "xNL.xsd", "xNL-types.xsd", "xAL.xsd",
        "xAL-types.xsd", "CommonTypes.xsd", "xlink-2003-12-31.xsd", "geo-oasis.xsd", "gml-oasis.xsd", "xlinks.xsd");
  }

  @Test
  @DisplayName("a document missing a required element, or with a value outside an enumeration, fails validation")
  void brokenDocumentsFailValidation() throws Exception {
    String xml = HaveDocument.toXml(List.of(busyHospital()), NOW);
    validate(xml); // the unbroken document passes

    String noUpdateTime = xml.replaceAll("<have:LastUpdateTime>[^<]*</have:LastUpdateTime>", "");
    assertThat(noUpdateTime).isNotEqualTo(xml);
    assertThatThrownBy(() -> validate(noUpdateTime))
        .isInstanceOf(SAXParseException.class)
        .hasMessageContaining("Hospital");

    String noOrganization = xml.replaceAll("(?s)<have:Organization>.*?</have:Organization>", "");
    assertThat(noOrganization).isNotEqualTo(xml);
    assertThatThrownBy(() -> validate(noOrganization)).isInstanceOf(SAXParseException.class);

    String badEnum = xml.replace("<have:EMSTrafficStatus>Closed<", "<have:EMSTrafficStatus>Shut<");
    assertThat(badEnum).isNotEqualTo(xml);
    assertThatThrownBy(() -> validate(badEnum))
        .isInstanceOf(SAXParseException.class)
        .hasMessageContaining("Shut");

    String badBedType = xml.replace("<have:BedType>AdultICU<", "<have:BedType>Ventilators<");
    assertThat(badBedType).isNotEqualTo(xml);
    assertThatThrownBy(() -> validate(badBedType))
        .isInstanceOf(SAXParseException.class)
        .hasMessageContaining("Ventilators");

    java.util.regex.Matcher updateTime = java.util.regex.Pattern
        .compile("<have:LastUpdateTime>[^<]*</have:LastUpdateTime>").matcher(xml);
    assertThat(updateTime.find()).isTrue();
    String wrongOrder = noUpdateTime.replace("<have:Hospital>", "<have:Hospital>" + updateTime.group());
    assertThat(wrongOrder).isNotEqualTo(xml);
    assertThatThrownBy(() -> validate(wrongOrder)).isInstanceOf(SAXParseException.class);
  }

  // ---------------------------------------------------------------- documents

  @Test
  @DisplayName("a hospital with several bed types, ED on diversion, EMS closed and a system down is valid HAVE")
  void hospital() throws Exception {
    FacilityReadiness h = busyHospital();
    String xml = HaveDocument.toXml(List.of(h), NOW);
    validate(xml);
    Xml doc = new Xml(xml);

    assertThat(doc.count("/have:HospitalStatus/have:Hospital")).isEqualTo(1);
    String hosp = "/have:HospitalStatus/have:Hospital";
    assertThat(doc.text(hosp + "/have:Organization/have:OrganizationInformation/xnl:OrganisationName/@xnl:OrganisationID"))
        .isEqualTo("st-marys");
    assertThat(doc.text(hosp + "/have:Organization/have:OrganizationInformation/xnl:OrganisationName/xnl:NameElement"))
        .isEqualTo("St Mary's Hospital");

    String ems = hosp + "/have:EmergencyDepartmentStatus/have:EMSTraffic";
    assertThat(doc.text(ems + "/have:EMSTrafficStatus")).isEqualTo("Closed");
    assertThat(doc.text(ems + "/have:EMSTrafficReason")).isEqualTo("ED status: diversion");
    assertThat(doc.text(hosp + "/have:ServiceCoverageStatus/have:EmergencyDepartment")).isEqualTo("true");

    // One BedCapacity per HAVE bed type, in BedType order; ventilators are no HAVE bed type.
    String bed = hosp + "/have:HospitalBedCapacityStatus/have:BedCapacity";
    assertThat(doc.texts(bed + "/have:BedType"))
        .containsExactly("AdultICU", "MedicalSurgical", "AdultPsychiatric", "NegativeFlowIsolation");
    for (Map.Entry<BedType, Beds> e : h.beds().entrySet()) {
      if (e.getKey() == BedType.VENTILATORS) {
        continue;
      }
      String haveName = e.getKey() == BedType.PSYCHIATRIC ? "AdultPsychiatric" : e.getKey().haveName();
      String capacity = bed + "[have:BedType='" + haveName + "']/have:Capacity";
      assertThat(doc.text(capacity + "/have:AvailableCount"))
          .as("AvailableCount of %s is the staffed available count", haveName)
          .isEqualTo(Integer.toString(e.getValue().staffedAvailable()));
      assertThat(doc.text(capacity + "/have:BaselineCount")).isEqualTo(Integer.toString(e.getValue().baseline()));
    }
    // 3 beds free, but only 1 staffed: HAvBED reports 1.
    assertThat(doc.text(bed + "[have:BedType='MedicalSurgical']/have:Capacity/have:AvailableCount")).isEqualTo("1");
    assertThat(doc.text(bed + "[have:BedType='AdultICU']/have:Capacity/have:CapacityStatus")).isEqualTo("Vacant/Available");
    // Free beds with nobody to staff them are not available.
    assertThat(doc.text(bed + "[have:BedType='NegativeFlowIsolation']/have:Capacity/have:CapacityStatus"))
        .isEqualTo("NotAvailable");
    assertThat(doc.text(bed + "[have:BedType='NegativeFlowIsolation']/have:Capacity/have:AvailableCount"))
        .isEqualTo("0");
    assertThat(doc.text(bed + "[have:BedType='AdultPsychiatric']/have:CommentText")).contains("Psychiatric");
    assertThat(doc.text(bed + "[have:BedType='AdultICU']/have:CommentText"))
        .isEqualTo("Bed count (overdue: last set 2025-03-01T11:40:00Z by nurse.kim)");

    String facility = hosp + "/have:HospitalFacilityStatus";
    assertThat(doc.text(facility + "/have:FacilityStatus")).isEqualTo("Compromised");
    assertThat(doc.texts(facility + "/have:CommentText"))
        .containsExactly("ehr: degraded", "power: down - generator on fuel reserve");

    assertThat(doc.texts(hosp + "/have:HospitalResourcesStatus/have:ResourcesInformationText"))
        .containsExactly("Ventilators: 2 available (staffed) of 12 baseline", "oxygen-hours: 36", "ppe-days: 3");
    assertThat(doc.text(hosp + "/have:LastUpdateTime")).isEqualTo("2025-03-01T11:55:00Z");
  }

  @Test
  @DisplayName("a nursing home with few fields is valid HAVE and has no emergency department")
  void nursingHome() throws Exception {
    Map<BedType, Beds> beds = new LinkedHashMap<>();
    beds.put(BedType.MEDICAL_SURGICAL, beds(40, 38, 2, 2));
    FacilityReadiness home = new FacilityReadiness("oak-lodge", "Oak Lodge", "nursing-home", beds,
        null, null, value("normal"), Map.of(), Map.of(), EARLIER);

    String xml = HaveDocument.toXml(home, NOW);
    validate(xml);
    Xml doc = new Xml(xml);
    String hosp = "/have:HospitalStatus/have:Hospital";
    assertThat(doc.text(hosp + "/have:EmergencyDepartmentStatus/have:EMSTraffic/have:EMSTrafficStatus"))
        .isEqualTo("NotApplicable");
    assertThat(doc.count(hosp + "/have:ServiceCoverageStatus")).isZero();
    assertThat(doc.texts(hosp + "/have:HospitalBedCapacityStatus/have:BedCapacity/have:BedType"))
        .containsExactly("MedicalSurgical");
    assertThat(doc.text(hosp + "/have:HospitalBedCapacityStatus/have:BedCapacity/have:Capacity/have:AvailableCount"))
        .isEqualTo("2");
    assertThat(doc.text(hosp + "/have:HospitalFacilityStatus/have:FacilityStatus")).isEqualTo("Normal");
    assertThat(doc.count(hosp + "/have:HospitalResourcesStatus")).isZero();
    assertThat(doc.text(hosp + "/have:LastUpdateTime")).isEqualTo("2025-03-01T11:40:00Z");
  }

  @Test
  @DisplayName("an empty board is valid HAVE: organization and LastUpdateTime (now) only")
  void emptyBoard() throws Exception {
    FacilityReadiness empty = new FacilityReadiness("new-site", null, "hospital", Map.of(),
        null, null, null, Map.of(), Map.of(), null);

    String xml = HaveDocument.toXml(empty, NOW);
    validate(xml);
    Xml doc = new Xml(xml);
    String hosp = "/have:HospitalStatus/have:Hospital";
    assertThat(doc.count(hosp + "/*")).isEqualTo(2);
    assertThat(doc.text(hosp + "/have:Organization/have:OrganizationInformation/xnl:OrganisationName/xnl:NameElement"))
        .isEqualTo("new-site");
    assertThat(doc.text(hosp + "/have:LastUpdateTime")).isEqualTo("2025-03-01T12:00:00Z");
  }

  @Test
  @DisplayName("several facilities make one document with a Hospital each, in order")
  void severalFacilities() throws Exception {
    FacilityReadiness empty = new FacilityReadiness("new-site", "New Site", "clinic", null,
        null, null, null, null, null, null);
    String xml = HaveDocument.toXml(List.of(busyHospital(), empty), NOW);
    validate(xml);
    Xml doc = new Xml(xml);
    assertThat(doc.texts("/have:HospitalStatus/have:Hospital/have:Organization/have:OrganizationInformation"
        + "/xnl:OrganisationName/@xnl:OrganisationID")).containsExactly("st-marys", "new-site");
    assertThat(HaveDocument.toXml(busyHospital(), NOW)).isEqualTo(HaveDocument.toXml(List.of(busyHospital()), NOW));
  }

  @ParameterizedTest(name = "emsTraffic {0} -> EMSTrafficStatus {1}")
  @CsvSource({"open, Normal", "advisory, Advisory", "closed, Closed", "Closed, Closed"})
  void emsTrafficMapping(String emsTraffic, String expected) throws Exception {
    FacilityReadiness h = new FacilityReadiness("h1", "H1", "hospital", Map.of(), value("normal"),
        value(emsTraffic), null, Map.of(), Map.of(), EARLIER);
    String xml = HaveDocument.toXml(h, NOW);
    validate(xml);
    Xml doc = new Xml(xml);
    String ems = "/have:HospitalStatus/have:Hospital/have:EmergencyDepartmentStatus/have:EMSTraffic";
    assertThat(doc.text(ems + "/have:EMSTrafficStatus")).isEqualTo(expected);
    assertThat(doc.count(ems + "/have:EMSTrafficReason")).as("a normal ED gives no reason").isZero();
  }

  @Test
  @DisplayName("an unknown EMS traffic or facility status is kept as a comment, never sent as a bad enumeration value")
  void unknownValuesBecomeComments() throws Exception {
    FacilityReadiness h = new FacilityReadiness("h1", "H1", "hospital", Map.of(), value("closed"),
        value("partial"), value("lockdown"), Map.of(), Map.of(), EARLIER);
    String xml = HaveDocument.toXml(h, NOW);
    validate(xml);
    Xml doc = new Xml(xml);
    String hosp = "/have:HospitalStatus/have:Hospital";
    assertThat(doc.count(hosp + "/have:EmergencyDepartmentStatus/have:EMSTraffic/have:EMSTrafficStatus")).isZero();
    assertThat(doc.text(hosp + "/have:EmergencyDepartmentStatus/have:EMSTraffic/have:CommentText"))
        .isEqualTo("EMS traffic: partial");
    assertThat(doc.text(hosp + "/have:ServiceCoverageStatus/have:EmergencyDepartment")).isEqualTo("false");
    assertThat(doc.count(hosp + "/have:HospitalFacilityStatus/have:FacilityStatus")).isZero();
    assertThat(doc.text(hosp + "/have:HospitalFacilityStatus/have:CommentText")).isEqualTo("Facility status: lockdown");
  }

  @Test
  @DisplayName("overdue values say when and by whom they were last set")
  void overdueValuesAreFlagged() throws Exception {
    Value stale = new Value("diversion", "dr.lee", EARLIER, true);
    Map<String, Value> supplies = Map.of("ppe-days", new Value("3", "stores", EARLIER, true));
    FacilityReadiness h = new FacilityReadiness("h1", "H1", "hospital", Map.of(), stale,
        value("advisory"), null, Map.of(), supplies, EARLIER);
    String xml = HaveDocument.toXml(h, NOW);
    validate(xml);
    Xml doc = new Xml(xml);
    String hosp = "/have:HospitalStatus/have:Hospital";
    assertThat(doc.text(hosp + "/have:EmergencyDepartmentStatus/have:EMSTraffic/have:CommentText"))
        .isEqualTo("ED status diversion (overdue: last set 2025-03-01T11:40:00Z by dr.lee)");
    assertThat(doc.text(hosp + "/have:HospitalResourcesStatus/have:ResourcesInformationText"))
        .isEqualTo("ppe-days: 3 (overdue: last set 2025-03-01T11:40:00Z by stores)");
  }

  @Test
  @DisplayName("XML special characters in names and notes are escaped and read back unchanged")
  void specialCharactersAreEscaped() throws Exception {
    String name = "St. <Ann> & \"Joseph's\" ]]> Hospital";
    Map<String, SystemState> systems = Map.of("water", new SystemState("down", "main <burst> & \"flooded\"",
        "ops", EARLIER, false));
    FacilityReadiness h = new FacilityReadiness("a&b\"<c>", name + "\u0001", "hospital", Map.of(),
        null, value("open"), null, systems, Map.of(), EARLIER);

    String xml = HaveDocument.toXml(h, NOW);
    assertThat(xml).doesNotContain("<Ann>").doesNotContain("& \"").contains("&lt;Ann&gt;").contains("&amp;");
    validate(xml);
    Xml doc = new Xml(xml);
    String org = "/have:HospitalStatus/have:Hospital/have:Organization/have:OrganizationInformation/xnl:OrganisationName";
    assertThat(doc.text(org + "/xnl:NameElement")).isEqualTo(name);
    assertThat(doc.text(org + "/@xnl:OrganisationID")).isEqualTo("a&b\"<c>");
    assertThat(doc.text("/have:HospitalStatus/have:Hospital/have:HospitalFacilityStatus/have:CommentText"))
        .isEqualTo("water: down - main <burst> & \"flooded\"");
  }

  @Test
  @DisplayName("no facilities is refused: HAVE needs at least one Hospital")
  void noFacilities() {
    assertThatThrownBy(() -> HaveDocument.toXml(List.of(), NOW)).isInstanceOf(IllegalArgumentException.class);
  }

  // ---------------------------------------------------------------- fixtures and helpers

  private static FacilityReadiness busyHospital() {
    Map<BedType, Beds> beds = new LinkedHashMap<>();
    beds.put(BedType.VENTILATORS, beds(12, 9, 3, 2));
    beds.put(BedType.NEGATIVE_PRESSURE_ISOLATION, beds(4, 2, 2, 0));
    beds.put(BedType.ADULT_ICU, new Beds(20, 16, 4, 4, 8, 0, 2, "nurse.kim", EARLIER, true));
    beds.put(BedType.MEDICAL_SURGICAL, beds(120, 117, 3, 1));
    beds.put(BedType.PSYCHIATRIC, beds(18, 12, 6, 6));
    Map<String, SystemState> systems = new LinkedHashMap<>();
    systems.put("power", new SystemState("down", "generator on fuel reserve", "facilities", EARLIER, false));
    systems.put("water", new SystemState("up", null, "facilities", EARLIER, false));
    systems.put("ehr", new SystemState("degraded", null, "it", EARLIER, false));
    Map<String, Value> supplies = new LinkedHashMap<>();
    supplies.put("ppe-days", value("3"));
    supplies.put("oxygen-hours", value("36"));
    return new FacilityReadiness("st-marys", "St Mary's Hospital", "hospital", beds, value("diversion"),
        value("closed"), value("limited"), systems, supplies, Instant.parse("2025-03-01T11:55:00Z"));
  }

  private static Beds beds(int baseline, int occupied, int available, int staffedAvailable) {
    return new Beds(baseline, occupied, available, staffedAvailable, 4, 1, 1, "charge.nurse", EARLIER, false);
  }

  private static Value value(String v) {
    return new Value(v, "coordinator", EARLIER, false);
  }

  private static void validate(String xml) throws Exception {
    Validator validator = schema.newValidator();
    validator.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    validator.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    validator.validate(new StreamSource(new StringReader(xml)));
  }

  /** The document parsed, for XPath look-ups with the have and xnl prefixes. */
  private static final class Xml {
    private final Document doc;
    private final XPath xpath = XPathFactory.newInstance().newXPath();

    Xml(String xml) throws Exception {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      doc = f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
      xpath.setNamespaceContext(new NamespaceContext() {
        @Override
        public String getNamespaceURI(String prefix) {
          return switch (prefix) {
            case "have" -> HaveDocument.HAVE_NS;
            case "xnl" -> HaveDocument.XNL_NS;
            default -> XMLConstants.NULL_NS_URI;
          };
        }

        @Override
        public String getPrefix(String uri) {
          throw new UnsupportedOperationException();
        }

        @Override
        public Iterator<String> getPrefixes(String uri) {
          throw new UnsupportedOperationException();
        }
      });
    }

    String text(String path) throws Exception {
      List<String> all = texts(path);
      assertThat(all).as(path).hasSize(1);
      return all.get(0);
    }

    List<String> texts(String path) throws Exception {
      NodeList nodes = (NodeList) xpath.evaluate(path, doc, XPathConstants.NODESET);
      List<String> out = new ArrayList<>();
      for (int i = 0; i < nodes.getLength(); i++) {
        out.add(nodes.item(i).getTextContent());
      }
      return out;
    }

    int count(String path) throws Exception {
      return ((NodeList) xpath.evaluate(path, doc, XPathConstants.NODESET)).getLength();
    }
  }

  /** A schema document from the classpath, named by its URL so its own relative imports resolve. */
  private static final class ClasspathInput implements LSInput {
    private final URL url;

    ClasspathInput(URL url) {
      this.url = url;
    }

    @Override
    public InputStream getByteStream() {
      try {
        return url.openStream();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public String getSystemId() {
      return url.toExternalForm();
    }

    @Override public Reader getCharacterStream() { return null; }
    @Override public void setCharacterStream(Reader characterStream) { }
    @Override public void setByteStream(InputStream byteStream) { }
    @Override public String getStringData() { return null; }
    @Override public void setStringData(String stringData) { }
    @Override public void setSystemId(String systemId) { }
    @Override public String getPublicId() { return null; }
    @Override public void setPublicId(String publicId) { }
    @Override public String getBaseURI() { return null; }
    @Override public void setBaseURI(String baseURI) { }
    @Override public String getEncoding() { return null; }
    @Override public void setEncoding(String encoding) { }
    @Override public boolean getCertifiedText() { return false; }
    @Override public void setCertifiedText(boolean certifiedText) { }
  }
}
