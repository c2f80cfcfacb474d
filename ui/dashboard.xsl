<?xml version="1.0" encoding="UTF-8"?>
<!-- dashboard.xsl: the "Tableau de bord": holdings by age and by agency,
     changes of age due, open disposal lists, the last seal of the journal,
     the last audit and the storage offers (free space, copies held). -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="layout.xsl"/>
  <xsl:template match="dashboard" mode="title">Tableau de bord</xsl:template>

  <xsl:template match="dashboard" mode="main">
    <p>Au <xsl:value-of select="@date"/> : <strong><xsl:call-template name="num"><xsl:with-param name="n" select="total/@units"/></xsl:call-template></strong> unités
      archivées, <xsl:call-template name="num"><xsl:with-param name="n" select="total/@objects"/></xsl:call-template> objets,
      <xsl:call-template name="num"><xsl:with-param name="n" select="total/@bytes"/></xsl:call-template> octets.</p>

    <section aria-labelledby="h-open">
      <h2 id="h-open">Bordereaux d'élimination en cours</h2>
      <xsl:choose>
        <xsl:when test="open-disposals/disposal">
          <table id="open-disposals">
            <caption>Bordereaux proposés, approuvés ou en cours d'exécution</caption>
            <xsl:call-template name="disposal-head"/>
            <tbody><xsl:apply-templates select="open-disposals/disposal" mode="row"/></tbody>
          </table>
        </xsl:when>
        <xsl:otherwise><p>Aucun bordereau en cours.</p></xsl:otherwise>
      </xsl:choose>
    </section>

    <div class="cols">
      <section aria-labelledby="h-age">
        <h2 id="h-age">Fonds par âge</h2>
        <xsl:apply-templates select="by-age"/>
      </section>
      <section aria-labelledby="h-agency">
        <h2 id="h-agency">Fonds par service producteur</h2>
        <xsl:apply-templates select="by-agency"/>
      </section>
    </div>

    <section aria-labelledby="h-due">
      <h2 id="h-due">Changements d'âge à venir</h2>
      <table>
        <caption>Unités dont l'âge change</caption>
        <thead><tr><th scope="col">Période</th><th scope="col">Fin de DUA</th><th scope="col">Fin de l'utilité courante</th></tr></thead>
        <tbody>
          <xsl:for-each select="transitions/due">
            <tr>
              <th scope="row"><xsl:value-of select="@days"/> jours (jusqu'au <xsl:value-of select="until"/>)</th>
              <td class="n"><xsl:value-of select="end_of_dua"/></td>
              <td class="n"><xsl:value-of select="end_of_current_use"/></td>
            </tr>
          </xsl:for-each>
        </tbody>
      </table>
    </section>

    <section aria-labelledby="h-seal">
      <h2 id="h-seal">Journal</h2>
      <xsl:choose>
        <xsl:when test="seal">
          <p id="last-seal">Dernier scellement n° <xsl:value-of select="seal/@seq"/> le <xsl:value-of select="seal/@created"/>,
            couvrant les entrées <xsl:value-of select="seal/@first"/> à <xsl:value-of select="seal/@last"/> (horodaté RFC 3161).</p>
        </xsl:when>
        <xsl:otherwise><p id="last-seal">Le journal n'a pas encore été scellé.</p></xsl:otherwise>
      </xsl:choose>
    </section>

    <section aria-labelledby="h-audit">
      <h2 id="h-audit">Dernier audit</h2>
      <xsl:variable name="a" select="last-audit"/>
      <xsl:choose>
        <xsl:when test="$a">
          <p id="last-audit">
            <xsl:attribute name="data-result"><xsl:choose>
              <xsl:when test="$a/state = 'failed'">failed</xsl:when>
              <xsl:when test="$a/ok = 'true'">ok</xsl:when>
              <xsl:otherwise>problems</xsl:otherwise>
            </xsl:choose></xsl:attribute>
            <xsl:choose>
              <xsl:when test="/*/user/@role = 'auditor' or /*/user/@role = 'admin'">Audit <a href="/ui/audits/{$a/id}"><xsl:value-of select="$a/id"/></a></xsl:when>
              <xsl:otherwise>Audit <xsl:value-of select="$a/id"/></xsl:otherwise>
            </xsl:choose>
            du <xsl:value-of select="$a/started"/> par <xsl:value-of select="$a/agent"/> :
            <xsl:choose>
              <xsl:when test="$a/state = 'failed'"><strong class="ko">échec</strong> (<xsl:value-of select="$a/error"/>)</xsl:when>
              <xsl:when test="$a/ok = 'true'"><strong class="ok">conforme</strong></xsl:when>
              <xsl:otherwise><strong class="ko"><xsl:value-of select="$a/problems"/> problème(s) détecté(s)</strong></xsl:otherwise>
            </xsl:choose>
            <xsl:if test="$a/checked"> ; <xsl:call-template name="num"><xsl:with-param name="n" select="$a/checked"/></xsl:call-template> copie(s) relue(s)<xsl:if test="$a/sample_percent &lt; 100"> (échantillon de <xsl:value-of select="$a/sample_percent"/> %)</xsl:if></xsl:if>
            <xsl:choose>
              <xsl:when test="$a/@chain = 'ok'"> ; chaînage du journal intègre.</xsl:when>
              <xsl:when test="$a/@chain = 'broken'"> ; <strong class="ko">chaînage du journal rompu</strong>.</xsl:when>
              <xsl:otherwise>.</xsl:otherwise>
            </xsl:choose>
          </p>
        </xsl:when>
        <xsl:when test="last-audit-error"><p id="last-audit">Le dernier rapport d'audit est illisible : <xsl:value-of select="last-audit-error"/></p></xsl:when>
        <xsl:otherwise><p id="last-audit" data-result="none">Aucun audit n'a encore été fait.</p></xsl:otherwise>
      </xsl:choose>
    </section>

    <section aria-labelledby="h-offers">
      <h2 id="h-offers">Offres de stockage</h2>
      <table id="offers">
        <caption>Offres de stockage : espace libre et copies détenues</caption>
        <thead><tr>
          <th scope="col">Offre</th><th scope="col">Souveraine</th>
          <th scope="col">Espace libre (octets)</th><th scope="col">Taille du volume (octets)</th>
          <th scope="col">Copies</th><th scope="col">Octets détenus</th>
        </tr></thead>
        <tbody>
          <xsl:for-each select="offers/offer">
            <tr data-offer="{@name}">
              <th scope="row"><xsl:value-of select="@name"/><xsl:if test="@configured = 'false'"> (n'est plus configurée)</xsl:if></th>
              <td><xsl:choose>
                <xsl:when test="@sovereign = 'true'">oui</xsl:when>
                <xsl:when test="@sovereign = 'false'">non</xsl:when>
                <xsl:otherwise>—</xsl:otherwise>
              </xsl:choose></td>
              <td class="n free" data-value="{@free}"><xsl:choose>
                <xsl:when test="@free"><xsl:call-template name="num"><xsl:with-param name="n" select="@free"/></xsl:call-template></xsl:when>
                <xsl:otherwise>—</xsl:otherwise></xsl:choose></td>
              <td class="n"><xsl:choose>
                <xsl:when test="@size"><xsl:call-template name="num"><xsl:with-param name="n" select="@size"/></xsl:call-template></xsl:when>
                <xsl:otherwise>—</xsl:otherwise></xsl:choose></td>
              <td class="n copies" data-value="{@copies}"><xsl:call-template name="num"><xsl:with-param name="n" select="@copies"/></xsl:call-template></td>
              <td class="n"><xsl:call-template name="num"><xsl:with-param name="n" select="@bytes"/></xsl:call-template></td>
            </tr>
          </xsl:for-each>
          <xsl:if test="not(offers/offer)"><tr><td colspan="6">Aucune copie n'est encore stockée.</td></tr></xsl:if>
        </tbody>
      </table>
    </section>
  </xsl:template>

  <xsl:template match="by-age | by-agency">
    <table>
      <caption><xsl:choose><xsl:when test="self::by-age">Par âge</xsl:when><xsl:otherwise>Par service producteur</xsl:otherwise></xsl:choose></caption>
      <thead><tr>
        <th scope="col"><xsl:choose><xsl:when test="self::by-age">Âge</xsl:when><xsl:otherwise>Service</xsl:otherwise></xsl:choose></th>
        <th scope="col">Unités</th><th scope="col">Objets</th><th scope="col">Octets</th>
      </tr></thead>
      <tbody>
        <xsl:for-each select="row">
          <tr>
            <th scope="row"><xsl:choose>
              <xsl:when test="parent::by-age"><xsl:call-template name="age"><xsl:with-param name="a" select="@key"/></xsl:call-template></xsl:when>
              <xsl:otherwise><xsl:value-of select="@key"/></xsl:otherwise></xsl:choose></th>
            <td class="n"><xsl:call-template name="num"><xsl:with-param name="n" select="@units"/></xsl:call-template></td>
            <td class="n"><xsl:call-template name="num"><xsl:with-param name="n" select="@objects"/></xsl:call-template></td>
            <td class="n"><xsl:call-template name="num"><xsl:with-param name="n" select="@bytes"/></xsl:call-template></td>
          </tr>
        </xsl:for-each>
        <xsl:if test="not(row)"><tr><td colspan="4">Aucune unité.</td></tr></xsl:if>
      </tbody>
    </table>
  </xsl:template>
</xsl:stylesheet>
